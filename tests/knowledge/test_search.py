"""Hybrid search over the evaluation catalogue: known items, hard filters, explanations."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.filters import make_filters
from tests.knowledge.conftest import DATA

MakeKB = Callable[..., KnowledgeBase]

QUERIES = {q["qid"]: q for q in map(json.loads, (DATA / "dev_queries.jsonl").read_text().splitlines())}


@pytest.mark.parametrize("qid", ["dev-02", "dev-03", "dev-05", "dev-06", "dev-09"])
def test_known_item_is_in_the_top_three(eval_kb: KnowledgeBase, qid: str) -> None:
    query = QUERIES[qid]
    target = next(i for i, grade in query["relevant"].items() if grade == 3)
    ids = [hit.id for hit in eval_kb.search(query["query"], k=3).hits]
    assert target in ids


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_every_mode_finds_an_exact_title(eval_kb: KnowledgeBase, mode: str) -> None:
    hits = eval_kb.search("Site Reliability Engineering: Measuring and Managing Reliability", k=5, mode=mode).hits
    assert "site-reliability-engineering-slos" in [hit.id for hit in hits]


def test_filters_from_the_question_are_hard_constraints(eval_kb: KnowledgeBase) -> None:
    result = eval_kb.search("free beginner course on cybersecurity? total newbie", k=10)
    assert result.filters.level == "beginner" and result.filters.max_cost == 0
    assert result.hits
    assert all(hit.level == "beginner" and hit.cost == 0 for hit in result.hits)
    assert all("beginner level" in hit.why and "free" in hit.why for hit in result.hits)


def test_provider_named_in_the_question_restricts_results(eval_kb: KnowledgeBase) -> None:
    result = eval_kb.search("anything from Google on project management?", k=10)
    assert result.hits and {hit.provider for hit in result.hits} == {"Google"}


@pytest.mark.parametrize(
    ("options", "check"),
    [
        ({"provider": "IBM Skills Network"}, lambda h: h.provider == "IBM Skills Network"),
        ({"level": "advanced"}, lambda h: h.level == "advanced"),
        ({"max_hours": 10}, lambda h: h.duration_hours is not None and h.duration_hours <= 10),
        ({"max_cost": 0}, lambda h: h.cost == 0),
        ({"skill": "python"}, lambda h: any("python" in s.lower() for s in h.skills)),
    ],
)
def test_option_filters_hold_for_every_hit(demo_kb: KnowledgeBase, options: dict[str, object], check: object) -> None:
    result = demo_kb.search("data", k=20, filters=make_filters(**options))  # type: ignore[arg-type]
    assert result.hits  # the demo catalogue has matches for every one of these filters
    assert all(check(hit) for hit in result.hits)  # type: ignore[operator]


def test_impossible_filters_give_no_results(eval_kb: KnowledgeBase) -> None:
    filters = make_filters(provider="No Such University")
    assert eval_kb.search("python", filters=filters).hits == []


def test_hits_say_why_they_matched(eval_kb: KnowledgeBase) -> None:
    hit = eval_kb.search("negotiation", k=1).hits[0]
    assert hit.id == "negotiation-skills"
    assert any("negotiation" in reason for reason in hit.why)


def test_search_sees_a_catalogue_change_without_restart(make_kb: MakeKB, tmp_path: Path) -> None:
    path = tmp_path / "cat.jsonl"
    five = (DATA / "formats" / "five.jsonl").read_text(encoding="utf-8")
    path.write_text(five, encoding="utf-8")
    kb = make_kb(catalogue_recheck_seconds=0)
    kb.load([path])
    assert kb.search("quantum gardening", k=5, mode="lexical").hits == []
    path.write_text(five + '{"id": "qg", "title": "Quantum gardening", "provider": "Acme"}\n', encoding="utf-8")
    make_kb().load([path])  # another process or replica changes the catalogue
    assert [hit.id for hit in kb.search("quantum gardening", k=1).hits] == ["qg"]
