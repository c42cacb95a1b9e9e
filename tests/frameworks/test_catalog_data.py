"""The shipped catalog holds what the issue promises. No database: the YAML is the source."""

from __future__ import annotations

from collections import Counter

from attestly.frameworks.catalog.loader import shipped_catalog

catalog = shipped_catalog()


def test_iso27001_has_93_annex_a_controls_in_four_themes_and_clauses_4_to_10() -> None:
    iso = catalog.framework("iso27001")
    by_group = Counter(c.group for c in iso.criteria)
    assert {g: by_group[g] for g in ("A.5", "A.6", "A.7", "A.8")} == {
        "A.5": 37,
        "A.6": 8,
        "A.7": 14,
        "A.8": 34,
    }
    assert sum(n for g, n in by_group.items() if g.startswith("A.")) == 93
    clauses = {c.id.split(".")[0] for c in iso.criteria if not c.id.startswith("A.")}
    assert clauses == {str(n) for n in range(4, 11)}


def test_nist_csf_has_6_functions_22_categories_106_subcategories() -> None:
    csf = catalog.framework("nist-csf")
    functions = [g for g in csf.groups if g.parent is None]
    categories = [g for g in csf.groups if g.parent is not None]
    assert sorted(g.id for g in functions) == ["DE", "GV", "ID", "PR", "RC", "RS"]
    assert len(categories) == 22
    assert len(csf.criteria) == 106
    assert {c.group for c in csf.criteria} == {g.id for g in categories}


def test_gdpr_covers_the_security_and_privacy_articles() -> None:
    wanted = {
        5,
        6,
        7,
        *range(12, 23),
        24,
        25,
        28,
        30,
        *range(32, 36),
        *range(37, 40),
        *range(44, 50),
    }
    present = {int(c.id.removeprefix("Art.")) for c in catalog.framework("gdpr").criteria}
    assert wanted <= present


def test_soc2_has_61_criteria() -> None:
    assert len(catalog.criteria("soc2")) == 61


def test_at_least_120_controls_with_every_field() -> None:
    assert len(catalog.controls) >= 120
    for control in catalog.controls.values():
        assert control.title and control.description and control.owner_role
        assert control.evidence and control.guidance


def test_every_soc2_criterion_has_a_control_and_every_control_meets_one() -> None:
    covered = Counter(ref for c in catalog.controls.values() for ref in c.maps.get("soc2", {}))
    assert {c.id for c in catalog.criteria("soc2")} == set(covered)
    assert all(c.maps.get("soc2") for c in catalog.controls.values())


def test_controls_map_to_all_three_other_frameworks() -> None:
    mapped = Counter(fid for c in catalog.controls.values() for fid in c.maps)
    assert mapped["iso27001"] >= 100
    assert mapped["nist-csf"] >= 100
    assert mapped["gdpr"] >= 20
    iso_covered = {ref for c in catalog.controls.values() for ref in c.maps.get("iso27001", {})}
    assert sum(1 for ref in iso_covered if ref.startswith("A.")) >= 80


def test_relationships_natures_and_frequencies_use_the_vocabularies() -> None:
    relationships = {
        r.value for c in catalog.controls.values() for t in c.maps.values() for r in t.values()
    }
    assert relationships <= {"equal", "subset", "superset", "intersect"}
    assert {c.nature.value for c in catalog.controls.values()} == {
        "manual",
        "automated",
        "it_dependent_manual",
    }
    assert {c.frequency.value for c in catalog.controls.values()} == {
        "continuous",
        "daily",
        "weekly",
        "monthly",
        "quarterly",
        "semi_annual",
        "annual",
        "on_event",
    }


def test_library_covers_what_the_criteria_need_beyond_technology() -> None:
    families = {c.family for c in catalog.controls.values()}
    assert families >= {
        "governance",
        "organisation",
        "human_resources",
        "risk_management",
        "vendor_management",
        "incident_response",
        "business_continuity",
        "change_management",
        "physical_security",
        "privacy",
        "data_management",
        "processing_integrity",
    }
    by_criterion = Counter(ref for c in catalog.controls.values() for ref in c.maps["soc2"])
    # fraud risk, privacy notice and consent, retention and disposal, PI input to storage
    for ref in (
        "CC3.3",
        "P1.1",
        "P2.1",
        "C1.2",
        "P4.2",
        "P4.3",
        "PI1.2",
        "PI1.3",
        "PI1.4",
        "PI1.5",
        "CC1.4",
        "CC1.5",
    ):
        assert by_criterion[ref] >= 1, ref
