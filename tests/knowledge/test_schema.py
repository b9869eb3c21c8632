"""One catalogue record at a time: what is accepted, how it is normalised, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.schema import (
    MAX_COST,
    MAX_HOURS,
    MAX_ITEM_LEN,
    MAX_LEN,
    MAX_LIST_ITEMS,
    CredentialRecord,
    FieldError,
    normalise_level,
    validate_record,
)

BASE = {"id": "excel-essentials", "title": "Excel Skills for Business: Essentials", "provider": "Macquarie University"}


def record(**fields: Any) -> CredentialRecord:
    return validate_record({**BASE, **fields})


def refused(**fields: Any) -> FieldError:
    with pytest.raises(FieldError) as info:
        record(**fields)
    return info.value


# ----------------------------------------------------------------------------------------- levels
@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("beginner", "beginner"),
        ("Beginner Level", "beginner"),
        ("Intermediate Level", "intermediate"),
        ("INTERMEDIATE", "intermediate"),
        ("  Advanced ", "advanced"),
        ("advanced-level", "advanced"),
        ("Introductory", "beginner"),
        ("All Levels", None),
        ("Mixed", None),
        ("-", None),
        ("", None),
        (None, None),
    ],
)
def test_levels_normalise(raw: Any, level: str | None) -> None:
    assert normalise_level(raw) == level
    assert record(level=raw).level == level


@pytest.mark.parametrize("raw", ["guru", "expert", "Level 3", 3])
def test_unknown_level_is_a_field_error_naming_the_value(raw: Any) -> None:
    error = refused(level=raw)
    assert error.field == "level"
    assert repr(str(raw)) in error.reason
    assert "beginner, intermediate or advanced" in error.reason


# ---------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("raw", "cost"),
    [
        ("free", 0.0), ("FREE", 0.0), (49, 49.0), ("12.50", 12.5), ("$1,299.00", 1299.0), (0, 0.0),
        ("", None), (None, None),
    ],
)
def test_cost_values_are_read_as_numbers(raw: Any, cost: float | None) -> None:
    assert record(cost=raw).cost == cost


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (-49.0, "negative"),
        ("-1", "negative"),
        (float("nan"), "finite"),
        ("NaN", "finite"),
        (float("inf"), "finite"),
        (MAX_COST * 10, "implausibly large"),
        (True, "boolean"),
        ("lots", "must be a number"),
        ([10], "must be a number"),
    ],
)
def test_bad_cost_is_refused(raw: Any, words: str) -> None:
    error = refused(cost=raw)
    assert error.field == "cost"
    assert words in error.reason


def test_duration_hours_is_a_bounded_number() -> None:
    assert record(duration_hours="151.7").duration_hours == 151.7
    assert record(duration_hours=18).duration_hours == 18.0
    assert refused(duration_hours="lots").field == "duration_hours"
    assert "implausibly large" in refused(duration_hours=MAX_HOURS + 1).reason
    assert "negative" in refused(duration_hours=-2).reason


# ------------------------------------------------------------------------------------- lists
@pytest.mark.parametrize(
    ("raw", "items"),
    [
        ("Data Analysis;SQL", ("Data Analysis", "SQL")),
        (" Data   Analysis ; SQL ;; sql ;", ("Data Analysis", "SQL")),
        ('[" Business Intelligence", " Leadership"]', ("Business Intelligence", "Leadership")),
        (["Excel", "excel", "Charts"], ("Excel", "Charts")),
        ([], ()),
        (None, ()),
    ],
)
@pytest.mark.parametrize("name", ["skills", "tags"])
def test_list_fields_from_text_or_lists(name: str, raw: Any, items: tuple[str, ...]) -> None:
    assert getattr(record(**{name: raw}), name) == items


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (42, "got int"),
        ({"a": "b"}, "got dict"),
        (["SQL", 7], "only strings"),
        ('["SQL", ', "does not parse"),
        (["x" * (MAX_ITEM_LEN + 1)], f"limit is {MAX_ITEM_LEN}"),
        ([f"skill {n}" for n in range(MAX_LIST_ITEMS + 1)], f"limit is {MAX_LIST_ITEMS}"),
    ],
)
def test_bad_list_fields_are_refused(raw: Any, words: str) -> None:
    error = refused(skills=raw)
    assert error.field == "skills"
    assert words in error.reason


# ------------------------------------------------------------------------------ types and ids
@pytest.mark.parametrize(
    ("fields", "name", "words"),
    [
        ({"title": None}, "title", "required"),
        ({"title": "   "}, "title", "required"),
        ({"provider": ["Google"]}, "provider", "must be a string, got list"),
        ({"id": True}, "id", "must be a string"),
        ({"id": 1.5}, "id", "decimal"),
        ({"id": 2.0}, "id", "decimal"),
        ({"url": "https://x/" + "a" * MAX_LEN["url"]}, "url", f"limit is {MAX_LEN['url']:,}"),
        ({"title": "t" * (MAX_LEN["title"] + 1)}, "title", f"limit is {MAX_LEN['title']}"),
        ({"format": "zoom"}, "format", "online, in-person or hybrid"),
        ({"partner_notes": "n" * 20_000}, "partner_notes", "limit"),
    ],
)
def test_wrong_values_name_the_field(fields: dict[str, Any], name: str, words: str) -> None:
    error = refused(**fields)
    assert error.field == name
    assert words in error.reason
    assert str(error) == error.reason


def test_integer_id_is_accepted_as_string() -> None:
    assert record(id=123).id == "123"


def test_not_a_mapping_is_refused() -> None:
    with pytest.raises(FieldError) as info:
        validate_record(["not", "a", "record"])  # type: ignore[arg-type]
    assert "mapping" in info.value.reason


def test_formats_normalise() -> None:
    assert record(format="In Person").format == "in-person"
    assert record(format="remote").format == "online"
    assert record(format="Hybrid").format == "hybrid"


def test_unknown_fields_are_kept_as_extra_and_empty_ones_dropped() -> None:
    rec = record(partner_code="GCP-SRE-101", meta={"region": "emea"}, blank="", nothing=None)
    assert rec.extra == {"partner_code": "GCP-SRE-101", "meta": {"region": "emea"}}
    assert rec.as_dict()["extra"] == rec.extra


# ---------------------------------------------------------------------------------- currency
@pytest.mark.parametrize(
    ("raw", "currency"), [(None, "USD"), ("", "USD"), ("eur", "EUR"), (" gbp ", "GBP"), ("AUD", "AUD")]
)
def test_currency_defaults_to_usd_and_is_upper_cased(raw: Any, currency: str) -> None:
    fields = {} if raw is None else {"currency": raw}
    assert record(**fields).currency == currency


@pytest.mark.parametrize("raw", ["euro", "E1R", "$", "US"])
def test_bad_currency_is_refused(raw: str) -> None:
    error = refused(currency=raw)
    assert error.field == "currency"
    assert "ISO" in error.reason


# ------------------------------------------------------------------------------------ hashes
def test_hashes_are_stable_for_the_same_record() -> None:
    one, two = record(cost=10, skills="Excel"), record(cost=10, skills="Excel")
    assert one.content_hash == two.content_hash
    assert one.embed_hash == two.embed_hash
    assert len(one.content_hash) == 64


def test_cost_change_changes_content_hash_but_not_embed_hash() -> None:
    cheap, dear = record(cost=0, description="Learn Excel."), record(cost=49, description="Learn Excel.")
    assert cheap.content_hash != dear.content_hash
    assert cheap.embed_hash == dear.embed_hash


@pytest.mark.parametrize(
    "change",
    [{"description": "Learn Excel charts."}, {"skills": "Excel;Charts"}, {"title": "Excel Essentials"}],
)
def test_changes_to_embedded_text_change_embed_hash(change: dict[str, Any]) -> None:
    before = record(description="Learn Excel.", skills="Excel")
    after = record(**{"description": "Learn Excel.", "skills": "Excel", **change})
    assert before.embed_hash != after.embed_hash
    assert before.content_hash != after.content_hash


def test_embed_text_carries_title_provider_skills_and_description() -> None:
    text = record(skills="Microsoft Excel;Charts", tags="Business", description="Six weeks of Excel.").embed_text
    assert text.startswith("Excel Skills for Business: Essentials (Macquarie University)")
    for part in ("Microsoft Excel, Charts", "Business", "Six weeks of Excel."):
        assert part in text


@pytest.mark.parametrize(("fields", "extra"), [
    ({}, {}),
    ({"issued_by": "Self"}, {"issued_by": "self"}),
    ({"issued_by": "Coursera"}, {"issued_by": "Coursera"}),
    ({"issued_by": "self", "valid_until": "2027-12-31"}, {"issued_by": "self", "valid_until": "2027-12-31"}),
    ({"issued_by": "self", "valid_for_days": "730"}, {"issued_by": "self", "valid_for_days": 730}),
])
def test_issuing_fields(fields: dict[str, Any], extra: dict[str, Any]) -> None:
    record = validate_record({"id": "x", "title": "T", "provider": "P", **fields})
    assert record.extra == extra


@pytest.mark.parametrize(("fields", "name", "words"), [
    ({"issued_by": "self", "valid_until": "soon"}, "valid_until", "must be a date like 2027-12-31"),
    ({"issued_by": "self", "valid_for_days": 1.5}, "valid_for_days", "whole number of days"),
    ({"issued_by": "self", "valid_until": "2027-01-01", "valid_for_days": 3}, "valid_until", "not both"),
    ({"valid_for_days": 30}, "valid_until", "only a credential Badger issues"),
])
def test_bad_issuing_fields_name_the_field(fields: dict[str, Any], name: str, words: str) -> None:
    with pytest.raises(FieldError) as caught:
        validate_record({"id": "x", "title": "T", "provider": "P", **fields})
    assert caught.value.field == name and words in caught.value.reason


def test_the_partner_issues_unless_the_entry_says_self() -> None:
    from knowledge.schema import issuer_of

    assert issuer_of("Coursera", {}) == "Coursera"
    assert issuer_of("Coursera", {"issued_by": "Google"}) == "Google"
    assert issuer_of("Example Ltd", {"issued_by": "SELF "}) == "self"
