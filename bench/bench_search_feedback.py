"""Feedback re-ranking simulated on the dev queries, and what understanding, language and feedback cost a query.

Half of each query's relevant courses play the clicks (a thumbs up when shown in the top 5; every
shown course with no grade gets a thumbs down), the other half measure (nDCG@10 on those grades only);
then the halves swap, over repeated random splits. Writes bench/results/search_feedback.json.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.bench_search_quality import CATALOGUE, QUERIES, ndcg_at
from bench.common import temp_knowledge, write_result
from knowledge.feedback_rank import FeedbackBoosts, Vote, apply_feedback
from knowledge.language import detect_language
from knowledge.query import understand

SPLITS = 10
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def simulate(kb: Any, queries: list[dict[str, Any]]) -> dict[str, float]:
    """Mean nDCG@10 on the measuring halves, without and with the clicking halves' votes."""
    rng = random.Random(15)
    shown = {q["qid"]: [h.id for h in kb.search(q["query"], k=5).hits] for q in queries}
    plain_deep = {q["qid"]: [h.id for h in kb.search(q["query"], k=20).hits] for q in queries}
    plain_ranked = {qid: ranked[:10] for qid, ranked in plain_deep.items()}
    multi = [q for q in queries if len(q["relevant"]) >= 2]
    before: list[float] = []
    after: list[float] = []
    before_rest: list[float] = []
    after_rest: list[float] = []
    for _ in range(SPLITS):
        halves: dict[str, tuple[set[str], set[str]]] = {}
        for q in multi:
            ids = sorted(q["relevant"])
            rng.shuffle(ids)
            halves[q["qid"]] = (set(ids[: len(ids) // 2]), set(ids[len(ids) // 2:]))
        for side in (0, 1):
            votes = []
            for q in multi:
                clicking = halves[q["qid"]][side]
                for cid in shown[q["qid"]]:
                    if cid in clicking:
                        votes.append(Vote(q["query"], cid, True, NOW))
                    elif cid not in q["relevant"]:
                        votes.append(Vote(q["query"], cid, False, NOW))
            boosts = FeedbackBoosts.of(votes, now=NOW)
            kb.searcher.feedback = lambda b=boosts: b
            for q in multi:
                measuring = {i: g for i, g in q["relevant"].items() if i in halves[q["qid"]][1 - side]}
                clicked = halves[q["qid"]][side]
                voted = [h.id for h in kb.search(q["query"], k=20).hits]
                before.append(ndcg_at(plain_ranked[q["qid"]], measuring))
                after.append(ndcg_at(voted[:10], measuring))
                # The same with the clicking half taken out of both rankings: did the rest move up?
                before_rest.append(ndcg_at([i for i in plain_deep[q["qid"]] if i not in clicked], measuring))
                after_rest.append(ndcg_at([i for i in voted if i not in clicked], measuring))
            kb.searcher.feedback = None
    return {"queries": len(multi), "ndcg@10_without": round(statistics.mean(before), 4),
            "ndcg@10_with_feedback": round(statistics.mean(after), 4),
            "ndcg@10_without_clicked_removed": round(statistics.mean(before_rest), 4),
            "ndcg@10_with_feedback_clicked_removed": round(statistics.mean(after_rest), 4)}


def added_cost(kb: Any, queries: list[dict[str, Any]]) -> dict[str, float]:
    """Median milliseconds per query: reading the question, detecting its language, applying 1,000 votes."""
    texts = [q["query"] for q in queries]
    providers = kb.searcher.providers()

    def per_call(fn: Any) -> float:
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            for text in texts:
                fn(text)
            rounds.append((time.perf_counter() - started) * 1000 / len(texts))
        return round(statistics.median(rounds), 3)

    ids = kb.searcher.snapshot().ids
    rng = random.Random(1)
    votes = [Vote(rng.choice(texts), rng.choice(ids), rng.random() < 0.5, NOW) for _ in range(1000)]
    boosts = FeedbackBoosts.of(votes, now=NOW)
    snap = kb.searcher.snapshot()
    fused = {t: [(i, 1.0 / (10 + i)) for i in range(min(200, len(ids)))] for t in texts}
    understood = {t: understand(t, providers) for t in texts}
    codes = ("en",)
    positions = list(range(len(ids)))
    return {"understand_ms": per_call(lambda t: understand(t, providers)),
            "detect_language_ms": per_call(detect_language),
            "language_filter_ms": per_call(lambda t: snap.columns.in_languages(codes, positions)),
            "feedback_1000_votes_200_candidates_ms": per_call(
                lambda t: apply_feedback(fused[t], understood[t], ids, boosts)),
            "search_ms": per_call(lambda t: kb.search(t, k=10))}


def main() -> None:
    """Run the simulation and the cost measurement; print a summary."""
    queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    kb = temp_knowledge()
    kb.load([Path(CATALOGUE)])
    result = {"simulation": simulate(kb, queries), "cost": added_cost(kb, queries)}
    write_result("search_feedback", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
