"""The shipped catalog matches the reference counts; broken files fail with precise errors."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from attestly.frameworks.catalog import CatalogError, load_catalog
from attestly.frameworks.catalog.loader import DATA_DIR

# Points of focus per criterion, broken down by scope, from the 2022 revision
# (shared/reference/soc2-domain.md, section 1). "all" = supplemental points for every engagement.
EXPECTED_POF: dict[str, dict[str, int]] = {
    "CC1.1": {"coso": 4, "all": 1},
    "CC1.2": {"coso": 3, "all": 1},
    "CC1.3": {"coso": 3, "all": 2, "privacy": 1},
    "CC1.4": {"coso": 4, "all": 3},
    "CC1.5": {"coso": 5, "privacy": 1},
    "CC2.1": {"coso": 4, "all": 5},
    "CC2.2": {"coso": 4, "all": 4, "system": 3, "privacy": 2},
    "CC2.3": {"coso": 5, "system": 4, "confidentiality": 1, "privacy": 2},
    "CC3.1": {"coso": 15, "all": 1},
    "CC3.2": {"coso": 5, "all": 4},
    "CC3.3": {"coso": 4, "all": 1},
    "CC3.4": {"coso": 3, "all": 3},
    "CC4.1": {"coso": 7, "all": 1},
    "CC4.2": {"coso": 3},
    "CC5.1": {"coso": 6},
    "CC5.2": {"coso": 4},
    "CC5.3": {"coso": 6},
    "CC6.1": {"all": 11, "confidentiality": 1, "privacy": 1},
    "CC6.2": {"all": 3},
    "CC6.3": {"all": 4},
    "CC6.4": {"all": 4},
    "CC6.5": {"all": 1},
    "CC6.6": {"all": 4},
    "CC6.7": {"all": 4},
    "CC6.8": {"all": 5},
    "CC7.1": {"all": 5},
    "CC7.2": {"all": 4},
    "CC7.3": {"all": 3, "confidentiality": 2, "privacy": 2},
    "CC7.4": {"all": 11, "privacy": 3},
    "CC7.5": {"all": 6},
    "CC8.1": {"all": 14, "availability": 1, "confidentiality": 1, "privacy": 2},
    "CC9.1": {"all": 2},
    "CC9.2": {"all": 9, "confidentiality": 2, "privacy": 2},
    "A1.1": {"availability": 3},
    "A1.2": {"availability": 11},
    "A1.3": {"availability": 2},
    "C1.1": {"confidentiality": 3},
    "C1.2": {"confidentiality": 2},
    "PI1.1": {"processing_integrity": 3},
    "PI1.2": {"processing_integrity": 3},
    "PI1.3": {"processing_integrity": 5},
    "PI1.4": {"processing_integrity": 4},
    "PI1.5": {"processing_integrity": 4},
    "P1.1": {"privacy": 7},
    "P2.1": {"privacy": 6},
    "P3.1": {"privacy": 4},
    "P3.2": {"privacy": 2},
    "P4.1": {"privacy": 1},
    "P4.2": {"privacy": 2},
    "P4.3": {"privacy": 3},
    "P5.1": {"privacy": 5},
    "P5.2": {"privacy": 4},
    "P6.1": {"privacy": 4},
    "P6.2": {"privacy": 1},
    "P6.3": {"privacy": 1},
    "P6.4": {"privacy": 3},
    "P6.5": {"privacy": 2},
    "P6.6": {"privacy": 2},
    "P6.7": {"privacy": 3},
    "P7.1": {"privacy": 2},
    "P8.1": {"privacy": 6},
}
EXPECTED_SERIES = {
    "CC1": 28,
    "CC2": 34,
    "CC3": 36,
    "CC4": 11,
    "CC5": 16,
    "CC6": 38,
    "CC7": 36,
    "CC8": 18,
    "CC9": 15,
    "A1": 16,
    "C1": 5,
    "PI1": 19,
    "P": 58,
}


def test_soc2_has_61_criteria_and_330_points_of_focus() -> None:
    soc2 = load_catalog().framework("soc2")
    assert len(soc2.criteria) == 61
    assert sum(len(c.points_of_focus) for c in soc2.criteria) == 330


def test_soc2_points_of_focus_per_criterion_and_scope_match_the_reference() -> None:
    soc2 = load_catalog().framework("soc2")
    actual = {c.id: dict(Counter(p.scope.value for p in c.points_of_focus)) for c in soc2.criteria}
    assert actual == EXPECTED_POF


def test_soc2_series_totals_match_the_reference() -> None:
    soc2 = load_catalog().framework("soc2")
    series: Counter[str] = Counter()
    for c in soc2.criteria:
        key = "P" if c.group.startswith("P") and not c.group.startswith("PI") else c.group
        series[key] += len(c.points_of_focus)
    assert dict(series) == EXPECTED_SERIES


def test_privacy_role_markers_total_40_both_15_controller_3_processor() -> None:
    soc2 = load_catalog().framework("soc2")
    roles = Counter(
        p.privacy_role.value
        for c in soc2.criteria
        for p in c.points_of_focus
        if p.privacy_role is not None
    )
    assert roles == {"both": 40, "controller": 15, "processor": 3}


def test_coso_principles_follow_the_cc_order() -> None:
    soc2 = load_catalog().framework("soc2")
    principles = {c.id: c.coso_principle for c in soc2.criteria if c.coso_principle}
    assert principles["CC1.1"] == 1
    assert principles["CC2.1"] == 13
    assert principles["CC3.1"] == 6
    assert principles["CC5.3"] == 12
    assert len(principles) == 17


def test_dc200_has_nine_criteria_with_dc3_and_dc7_sub_items() -> None:
    dc = load_catalog().description_criteria["dc200"]
    assert [i.id for i in dc.items] == [f"DC{n}" for n in range(1, 10)]
    by_id = {i.id: i for i in dc.items}
    assert [s.id for s in by_id["DC3"].sub_items] == ["DC3.a", "DC3.b", "DC3.c", "DC3.d", "DC3.e"]
    assert len(by_id["DC7"].sub_items) == 2
    assert by_id["DC9"].applies_to == ["type2"]


# --- broken data -------------------------------------------------------------------------


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped frameworks, to break."""
    shutil.copytree(DATA_DIR / "frameworks", tmp_path / "frameworks")
    return tmp_path


def _edit_soc2(base: Path, change: object) -> None:
    path = base / "frameworks" / "soc2.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["framework"])  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_duplicate_criterion_id_names_file_entry_and_field(catalog_copy: Path) -> None:
    _edit_soc2(catalog_copy, lambda fw: fw["criteria"][1].update(id="CC1.1"))
    with pytest.raises(CatalogError) as err:
        load_catalog(base_dir=catalog_copy)
    assert err.value.path.endswith("soc2.yaml")
    assert "CC1.1" in err.value.entry
    assert err.value.field == "id"


def test_reference_to_unknown_group_is_named(catalog_copy: Path) -> None:
    _edit_soc2(catalog_copy, lambda fw: fw["criteria"][5].update(group="CC99"))
    with pytest.raises(CatalogError, match=r"soc2.yaml: entry criteria \(CC2.1\): field group"):
        load_catalog(base_dir=catalog_copy)


def test_missing_field_is_named_with_the_entry(catalog_copy: Path) -> None:
    _edit_soc2(catalog_copy, lambda fw: fw["criteria"][3].pop("statement"))
    with pytest.raises(CatalogError) as err:
        load_catalog(base_dir=catalog_copy)
    assert "(CC1.4)" in err.value.entry
    assert err.value.field == "statement"
    assert "required" in err.value.problem.lower()


def test_wrong_count_fails_the_load(catalog_copy: Path) -> None:
    _edit_soc2(catalog_copy, lambda fw: fw["criteria"][0]["points_of_focus"].pop())
    with pytest.raises(CatalogError, match=r"expected_counts\.points_of_focus.*329"):
        load_catalog(base_dir=catalog_copy)


def test_bad_scope_tag_is_named(catalog_copy: Path) -> None:
    _edit_soc2(catalog_copy, lambda fw: fw["criteria"][0]["points_of_focus"][0].update(scope="x"))
    with pytest.raises(CatalogError) as err:
        load_catalog(base_dir=catalog_copy)
    assert "(CC1.1.1)" in err.value.entry
    assert err.value.field == "scope"


def test_invalid_yaml_names_the_line(catalog_copy: Path) -> None:
    (catalog_copy / "frameworks" / "broken.yaml").write_text("schema_version: 1\nframework: [\n")
    with pytest.raises(CatalogError, match=r"broken.yaml: entry line \d+"):
        load_catalog(base_dir=catalog_copy)


def test_invalid_utf8_is_refused(catalog_copy: Path) -> None:
    (catalog_copy / "frameworks" / "latin1.yaml").write_bytes(b"schema_version: 1\nname: caf\xe9\n")
    with pytest.raises(CatalogError, match="not UTF-8"):
        load_catalog(base_dir=catalog_copy)


def test_control_mapping_to_unknown_criterion_is_named(catalog_copy: Path) -> None:
    (catalog_copy / "controls").mkdir()
    (catalog_copy / "controls" / "mine.yaml").write_text(
        yaml.safe_dump(
            {
                "schema_version": 1,
                "controls": [
                    {
                        "id": "MY-01",
                        "title": "Mine",
                        "family": "custom",
                        "description": "d",
                        "owner_role": "CTO",
                        "nature": "manual",
                        "frequency": "annual",
                        "evidence": ["e"],
                        "guidance": "g",
                        "maps": {"soc2": {"CC6.1": "subset"}, "iso27001": {"A.9.9": "equal"}},
                    }
                ],
            }
        )
    )
    with pytest.raises(CatalogError) as err:
        load_catalog(base_dir=catalog_copy)
    assert err.value.path.endswith("mine.yaml")
    assert "(MY-01)" in err.value.entry
    assert err.value.field == "maps.iso27001.A.9.9"


def test_users_can_add_their_own_framework(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    (extra / "frameworks").mkdir(parents=True)
    (extra / "frameworks" / "inhouse.yaml").write_text(
        yaml.safe_dump(
            {
                "schema_version": 1,
                "framework": {
                    "id": "inhouse",
                    "name": "In-house baseline",
                    "version": "1",
                    "publisher": "Us",
                    "description": "Our own rules.",
                    "categories": [{"id": "core", "name": "Core", "always_in_scope": True}],
                    "groups": [{"id": "G1", "name": "Basics"}],
                    "criteria": [
                        {
                            "id": "B-1",
                            "group": "G1",
                            "category": "core",
                            "title": "Backups",
                            "statement": "Back up nightly.",
                        }
                    ],
                },
            }
        )
    )
    catalog = load_catalog([extra])
    assert catalog.framework("inhouse").criteria[0].id == "B-1"
    assert "soc2" in catalog.frameworks
