"""Bad catalog files fail the load, naming the file, the entry and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from attestly.frameworks.catalog import CatalogError, load_catalog
from attestly.frameworks.catalog.loader import DATA_DIR

CONTROL = """\
  - id: {id}
    title: Test control
    family: testing
    description: Something the organisation does.
    owner_role: CTO
    nature: manual
    frequency: annual
    evidence: [A signed record]
    guidance: Do it.
    maps:
{maps}
"""


def _catalog_dir(tmp_path: Path, *files: tuple[str, str]) -> Path:
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "controls").mkdir()
    for fid in ("soc2", "iso27001"):
        shutil.copy(DATA_DIR / "frameworks" / f"{fid}.yaml", tmp_path / "frameworks")
    for name, controls in files:
        (tmp_path / "controls" / name).write_text(
            "schema_version: 1\ncontrols:\n" + controls, encoding="utf-8"
        )
    return tmp_path


def _control(cid: str, maps: str = "      soc2: {CC6.1: subset}") -> str:
    return CONTROL.format(id=cid, maps=maps)


def test_a_good_file_loads(tmp_path: Path) -> None:
    catalog = load_catalog(base_dir=_catalog_dir(tmp_path, ("a.yaml", _control("TST-01"))))
    assert list(catalog.controls) == ["TST-01"]
    assert catalog.sources["control:TST-01"].endswith("a.yaml")


def test_mapping_to_an_unknown_criterion_names_file_entry_and_field(tmp_path: Path) -> None:
    base = _catalog_dir(
        tmp_path,
        (
            "a.yaml",
            _control("TST-01", "      soc2: {CC6.1: subset}\n      iso27001: {A.9.99: equal}"),
        ),
    )
    with pytest.raises(CatalogError) as err:
        load_catalog(base_dir=base)
    assert err.value.path.endswith("controls/a.yaml")
    assert err.value.entry == "controls (TST-01)"
    assert err.value.field == "maps.iso27001.A.9.99"
    assert "unknown iso27001 criterion 'A.9.99'" in str(err.value)


def test_mapping_to_an_unknown_framework_is_refused(tmp_path: Path) -> None:
    base = _catalog_dir(
        tmp_path,
        (
            "a.yaml",
            _control("TST-01", '      soc2: {CC6.1: subset}\n      hipaa: {"164.308": equal}'),
        ),
    )
    with pytest.raises(CatalogError, match="unknown framework 'hipaa'") as err:
        load_catalog(base_dir=base)
    assert err.value.field == "maps.hipaa"


def test_a_control_without_a_soc2_criterion_is_refused(tmp_path: Path) -> None:
    base = _catalog_dir(tmp_path, ("a.yaml", _control("TST-01", "      iso27001: {A.5.1: equal}")))
    with pytest.raises(CatalogError, match="at least one SOC 2 criterion") as err:
        load_catalog(base_dir=base)
    assert (err.value.entry, err.value.field) == ("controls (TST-01)", "maps.soc2")


def test_a_control_with_empty_maps_is_refused(tmp_path: Path) -> None:
    base = _catalog_dir(tmp_path, ("a.yaml", _control("TST-01", "      {}")))
    with pytest.raises(CatalogError) as err:
        load_catalog(base_dir=base)
    assert err.value.path.endswith("a.yaml")
    assert "TST-01" in err.value.entry
    assert err.value.field == "maps"


def test_a_duplicate_id_across_files_is_refused(tmp_path: Path) -> None:
    base = _catalog_dir(tmp_path, ("a.yaml", _control("TST-01")), ("b.yaml", _control("TST-01")))
    with pytest.raises(CatalogError, match=r"duplicate id 'TST-01' \(also in a\.yaml\)") as err:
        load_catalog(base_dir=base)
    assert err.value.path.endswith("b.yaml")
    assert (err.value.entry, err.value.field) == ("controls (TST-01)", "id")


def test_a_bad_relationship_names_the_field(tmp_path: Path) -> None:
    base = _catalog_dir(tmp_path, ("a.yaml", _control("TST-01", "      soc2: {CC6.1: similar}")))
    with pytest.raises(CatalogError) as err:
        load_catalog(base_dir=base)
    assert "TST-01" in err.value.entry
    assert err.value.field == "maps.soc2.CC6.1"


def test_a_missing_field_names_it(tmp_path: Path) -> None:
    broken = _control("TST-01").replace("    owner_role: CTO\n", "")
    with pytest.raises(CatalogError) as err:
        load_catalog(base_dir=_catalog_dir(tmp_path, ("a.yaml", broken)))
    assert (err.value.entry, err.value.field) == ("controls[0] (TST-01)", "owner_role")
