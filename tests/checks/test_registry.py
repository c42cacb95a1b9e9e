from __future__ import annotations

import importlib.metadata
import textwrap
from pathlib import Path

import pytest

from attestly.checks.metadata import CheckDefinitionError
from attestly.checks.registry import (
    ENTRY_POINT_GROUP,
    CheckRegistry,
    RegistryFrozenError,
    build_check,
    checks_in_directory,
    discover,
    get_registry,
)
from attestly.frameworks.catalog.loader import Catalog, shipped_catalog

META = """\
id: {id}
title: Demo check
description: A check for the tests.
severity: high
kinds: [demo.thing]
criteria: [CC6.1]
controls: [CRY-02]
rationale: Because.
remediation: Fix it.
"""


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return shipped_catalog()


def write_plugin(
    root: Path, package: str, check_id: str, code: str | None = None, meta: str = META
) -> None:
    folder = root / package / check_id
    folder.mkdir(parents=True)
    (root / package / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    (folder / f"{check_id}.yaml").write_text(meta.format(id=check_id))
    if code is not None:
        (folder / f"{check_id}.py").write_text(textwrap.dedent(code))


def entry_point(name: str, package: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=package, group=ENTRY_POINT_GROUP)


def test_the_process_registry_holds_the_builtin_checks_and_is_frozen() -> None:
    registry = get_registry()
    assert registry.frozen
    assert {
        "evidence_upload_fresh",
        "evidence_upload_effective_recent",
        "ocsf_finding_status",
        "sarif_result_status",
        "csv_result_status",
    } <= {c.id for c in registry}
    fresh = registry.get("evidence_upload_fresh")
    assert fresh.controls == ("MON-01",)
    assert fresh.criteria == ("CC4.1",)


def test_registering_after_freeze_raises(catalog: Catalog) -> None:
    check = get_registry().get("evidence_upload_fresh")
    registry = CheckRegistry()
    registry.register(check)
    registry.freeze()
    with pytest.raises(RegistryFrozenError, match="frozen after start-up"):
        registry.register(check)


def test_third_party_package_is_discovered_through_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    write_plugin(
        tmp_path,
        "acme_checks",
        "demo_thing_ok",
        code="""
        def evaluate(item):
            return item.data.get("ok") is True
    """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = discover(catalog, entry_points=[entry_point("acme", "acme_checks")])
    check = registry.get("demo_thing_ok")
    assert not check.declarative
    assert check.criteria == ("C1.1", "CC6.1")  # its own and those of CRY-02
    assert registry.frozen


def test_folder_name_must_equal_the_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    write_plugin(
        tmp_path,
        "bad_checks",
        "demo_one",
        code="def evaluate(item): return True\n",
        meta=META.replace("{id}", "demo_other"),
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CheckDefinitionError, match="must equal the folder name"):
        discover(catalog, entry_points=[entry_point("bad", "bad_checks")])


def test_unknown_criterion_and_control_are_named(catalog: Catalog) -> None:
    import yaml

    data = yaml.safe_load(META.format(id="demo_x"))
    with pytest.raises(CheckDefinitionError, match=r"unknown SOC 2 criterion 'CC99\.1'"):
        build_check(
            {**data, "criteria": ["CC99.1"], "rule": {"require": {"path": "a", "exists": True}}},
            catalog,
            "x.yaml",
        )
    with pytest.raises(CheckDefinitionError, match="unknown library control 'ZZ-01'"):
        build_check({**data, "controls": ["ZZ-01"]}, catalog, "x.yaml")
    with pytest.raises(CheckDefinitionError, match="severity"):
        build_check({**data, "severity": "urgent"}, catalog, "x.yaml")


def test_user_directory_loads_declarative_checks_only(tmp_path: Path, catalog: Catalog) -> None:
    rule = "rule:\n  require: {path: ok, eq: true}\n"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "demo_declared.yaml").write_text(META.format(id="demo_declared") + rule)
    checks = checks_in_directory(tmp_path, catalog)
    assert [c.id for c in checks] == ["demo_declared"]
    assert checks[0].declarative
    (tmp_path / "mine" / "demo_code.yaml").write_text(META.format(id="demo_code"))
    with pytest.raises(CheckDefinitionError, match="no `rule:`"):
        checks_in_directory(tmp_path, catalog)


def test_duplicate_ids_are_refused(tmp_path: Path, catalog: Catalog) -> None:
    rule = "rule:\n  require: {path: ok, eq: true}\n"
    (tmp_path / "a.yaml").write_text(META.format(id="demo_same") + rule)
    (tmp_path / "b.yaml").write_text(META.format(id="demo_same") + rule)
    with pytest.raises(CheckDefinitionError, match="already defined"):
        discover(catalog, [tmp_path], entry_points=[])


def test_checks_dirs_option_feeds_discovery(tmp_path: Path, catalog: Catalog) -> None:
    from attestly.conf.options import load_options

    rule = "rule:\n  require: {path: ok, eq: true}\n"
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"demo_{name}.yaml").write_text(META.format(id=f"demo_{name}") + rule)
    options = load_options(
        {
            "ATTESTLY_CHECKS_DIRS": f"{tmp_path / 'one'},{tmp_path / 'two'}",
            "ATTESTLY_DATA_DIR": str(tmp_path),
        }
    )
    registry = discover(catalog, options.checks_dirs, entry_points=[])
    assert [c.id for c in registry] == ["demo_one", "demo_two"]
