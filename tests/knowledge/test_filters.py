"""Hard constraints read from a question's words or given as options, and their Chroma form."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.filters import Filters, make_filters, match_providers, parse_filters

PROVIDERS = [
    "Google", "Google Cloud", "IBM", "IBM Skills Network", "University of Michigan", "Michigan State University",
    "Macquarie University", "Amazon Web Services", "Stanford University", "University of Colorado Boulder",
    "University of Colorado System", "Meta",
]
AWS = ("Amazon Web Services",)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("free beginner course on cybersecurity? total newbie", {"max_cost": 0.0, "level": "beginner"}),
        ("no cost python for someone with no experience", {"max_cost": 0.0}),
        # Describing oneself is not asking for a level: courses that state none must stay in.
        ("never written a line of code, want to pick up python", {}),
        ("python for beginners, I have no experience", {"level": "beginner"}),
        ("anything from Google on project management", {"providers": ("Google",)}),
        ("google's ux course", {"providers": ("Google",)}),
        ("intermediate-level google cloud course", {"providers": ("Google Cloud",), "level": "intermediate"}),
        ("the google cloud one about networking", {"providers": ("Google Cloud",)}),
        ("excel from macquarie uni", {"providers": ("Macquarie University",)}),
        ("AWS certification prep", {"providers": AWS}),
        ("amazon's course on dynamodb", {"providers": AWS}),
        ("stanford's game theory", {"providers": ("Stanford University",)}),
        ("cu boulder data science", {"providers": ("University of Colorado Boulder",)}),
        ("meta front-end developer", {"providers": ("Meta",)}),
        ("advanced python from google under $100", {"providers": ("Google",), "level": "advanced", "max_cost": 100.0}),
        ("under 10 hours", {"max_hours": 10.0}),
        ("at most 20 hrs of video", {"max_hours": 20.0}),
        ("under 2 days", {"max_hours": 16.0}),
        ("within 2 weeks", {"max_hours": 80.0}),
        ("under $50", {"max_cost": 50.0}),
        ("something that costs less than 30 bucks", {"max_cost": 30.0}),
        ("free python course under 10 hours", {"max_cost": 0.0, "max_hours": 10.0}),
        ("classroom training on leadership", {"format": "in-person"}),
        ("a hybrid program in data analytics", {"format": "hybrid"}),
        ("how do i get into ux design", {}),
        ("metadata management basics", {}),
        ("learn about the amazon rainforest", {}),
        ("I'm a beginner but want advanced stuff", {}),
        # The two Michigan universities are different institutions.
        ("python from the university of michigan", {"providers": ("University of Michigan",)}),
        ("michigan state game design", {"providers": ("Michigan State University",)}),
        # GCP is Google Cloud Platform.
        ("gcp networking course", {"providers": ("Google Cloud",)}),
        # A duration mentioned first must not hide the price that follows.
        ("under 5 hours and under $100", {"max_hours": 5.0, "max_cost": 100.0}),
        ("under 2 weeks, max $20", {"max_hours": 80.0, "max_cost": 20.0}),
    ],
)
def test_questions_give_exactly_these_filters(question: str, expected: dict[str, Any]) -> None:
    assert parse_filters(question, PROVIDERS) == Filters(**expected)


@pytest.mark.parametrize("question", ["under 10 hours", "less than 3 hrs", "under 2 days", "within 40 h"])
def test_durations_are_not_read_as_prices(question: str) -> None:
    filters = parse_filters(question, PROVIDERS)
    assert filters.max_hours is not None
    assert filters.max_cost is None


def test_only_known_providers_are_matched() -> None:
    assert parse_filters("anything from Google on project management", []).providers == ()
    assert match_providers("the google cloud one", ["Google"]) == ["Google"]
    assert match_providers("the google cloud one", PROVIDERS) == ["Google Cloud"]


def test_a_plain_question_is_empty() -> None:
    plain = parse_filters("how do i get into ux design", PROVIDERS)
    assert plain.is_empty()
    assert plain.describe() == []
    assert plain.chroma_where() is None


def test_describe_names_every_constraint() -> None:
    filters = parse_filters("free beginner course from google under 10 hours", PROVIDERS)
    assert filters.describe() == ["from Google", "beginner level", "free", "≤ 10 hours"]
    assert make_filters(max_cost=50, skill="SQL", format="online").describe() == ["cost ≤ 50", "skill: SQL", "online"]
    assert Filters(providers=("IBM", "Meta")).describe() == ["from IBM or Meta"]


# ----------------------------------------------------------------------------- make_filters
def test_make_filters_normalises_options() -> None:
    filters = make_filters(provider="Google", level="Beginner Level", max_hours=10, max_cost=0, skill="  SQL ")
    assert filters == Filters(providers=("Google",), level="beginner", max_hours=10, max_cost=0, skill="SQL")
    assert make_filters().is_empty()
    assert make_filters(level="All Levels").level is None


@pytest.mark.parametrize("level", ["expert", "guru"])
def test_make_filters_rejects_unknown_levels(level: str) -> None:
    with pytest.raises(ValueError, match=level):
        make_filters(level=level)


@pytest.mark.parametrize(("option", "flag"), [("max_hours", "--max-hours"), ("max_cost", "--max-cost")])
def test_make_filters_rejects_negative_limits(option: str, flag: str) -> None:
    with pytest.raises(ValueError, match=flag):
        make_filters(**{option: -1})


# --------------------------------------------------------------------------------- override
def test_options_override_what_the_question_says() -> None:
    asked = parse_filters("free beginner course from google under 10 hours", PROVIDERS)
    merged = asked.override(make_filters(provider="Meta", level="advanced"))
    assert merged == Filters(providers=("Meta",), level="advanced", max_cost=0.0, max_hours=10.0)


def test_override_keeps_zero_and_leaves_unset_constraints_alone() -> None:
    base = Filters(providers=("IBM",), level="beginner", max_hours=40.0, max_cost=50.0, skill="SQL", format="online")
    assert base.override(Filters(max_cost=0.0, max_hours=0.0)) == Filters(
        providers=("IBM",), level="beginner", max_hours=0.0, max_cost=0.0, skill="SQL", format="online")
    assert base.override(Filters()) == base
    assert Filters().override(base) == base
    assert base.override(Filters(skill="Python", format="hybrid")).skill == "Python"


# ----------------------------------------------------------------------------- chroma_where
def test_chroma_where_is_none_without_scalar_constraints() -> None:
    assert Filters().chroma_where() is None
    assert Filters(skill="SQL").chroma_where() is None  # skills are checked after the search


@pytest.mark.parametrize(
    ("filters", "where"),
    [
        (Filters(level="beginner"), {"level": "beginner"}),
        (Filters(max_cost=0.0), {"cost": {"$lte": 0.0}}),
        (Filters(max_hours=16), {"duration_hours": {"$lte": 16.0}}),
        (Filters(providers=("Google Cloud",)), {"provider": {"$in": ["Google Cloud"]}}),
        (Filters(format="in-person", skill="SQL"), {"format": "in-person"}),
    ],
)
def test_a_single_clause_is_not_wrapped(filters: Filters, where: dict[str, Any]) -> None:
    assert filters.chroma_where() == where


def test_several_clauses_are_joined_with_and() -> None:
    filters = Filters(providers=("Google", "Meta"), level="advanced", max_cost=50, max_hours=10, format="online",
                      skill="SQL")
    where = filters.chroma_where()
    assert where is not None and list(where) == ["$and"]
    clauses = where["$and"]
    assert len(clauses) == 5
    for clause in (
        {"provider": {"$in": ["Google", "Meta"]}}, {"level": "advanced"}, {"cost": {"$lte": 50.0}},
        {"duration_hours": {"$lte": 10.0}}, {"format": "online"},
    ):
        assert clause in clauses
    assert all(isinstance(c[k]["$lte"], float) for c in clauses for k in c if k in ("cost", "duration_hours"))


def test_question_filters_reach_chroma() -> None:
    where = parse_filters("free beginner course on cybersecurity? total newbie", PROVIDERS).chroma_where()
    assert where == {"$and": [{"level": "beginner"}, {"cost": {"$lte": 0.0}}]}
