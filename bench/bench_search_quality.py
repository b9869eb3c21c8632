"""Search quality on the labelled dev queries: hybrid against lexical-only and dense-only.

Every mode runs in this one script over the same index, with the filters parsed from each
query's own words. Two settings of the learner's language: every language (as the labels were made)
and an English speaker (results in English or stating no language; the labels are unchanged, so
relevant courses in other languages count as misses). The one weight chosen on these queries
(the whole-question context ranking) is cross-validated: chosen on half the queries, measured on the
other half, over repeated random splits. Writes bench/results/search_quality.json and prints Markdown.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import knowledge.search as search_module
from bench.common import ROOT, temp_knowledge, write_result

CATALOGUE = ROOT / "tests" / "data" / "catalogue_eval.jsonl"
QUERIES = ROOT / "tests" / "data" / "dev_queries.jsonl"
MODES = ("lexical", "dense", "hybrid")


def recall_at(ranked: list[str], grades: dict[str, int], k: int = 5) -> float:
    """Share of grade >= 2 ids found in the top k."""
    relevant = [i for i, g in grades.items() if g >= 2]
    return sum(1 for i in ranked[:k] if grades.get(i, 0) >= 2) / len(relevant) if relevant else 0.0


def mrr_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    """1 / rank of the first grade >= 2 id in the top k."""
    return next((1.0 / rank for rank, i in enumerate(ranked[:k], 1) if grades.get(i, 0) >= 2), 0.0)


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    """nDCG@k with the grades as gains."""
    dcg = sum(grades.get(i, 0) / math.log2(rank + 1) for rank, i in enumerate(ranked[:k], 1))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


CONTEXT_WEIGHTS = (0.5, 1.0)
SPLITS = 20


def score_rows(kb: Any, queries: list[dict[str, Any]], mode: str, language: str) -> list[dict[str, Any]]:
    """Per-query metrics."""
    rows = []
    for query in queries:
        ranked = [hit.id for hit in kb.search(query["query"], k=10, mode=mode, language=language).hits]
        grades = query["relevant"]
        rows.append({"type": query["type"], "recall@5": recall_at(ranked, grades),
                     "mrr@10": mrr_at(ranked, grades), "ndcg@10": ndcg_at(ranked, grades)})
    return rows


def evaluate(kb: Any, queries: list[dict[str, Any]], mode: str, language: str = "*") -> dict[str, Any]:
    """Mean metrics over all queries and per query type."""
    return summarise(score_rows(kb, queries, mode, language))


def cross_validated(kb: Any, queries: list[dict[str, Any]], language: str) -> dict[str, float]:
    """Hybrid nDCG@10 with the context weight chosen on one half of the queries and measured on the other."""
    per_weight = {}
    for weight in CONTEXT_WEIGHTS:
        search_module.CONTEXT_WEIGHT = weight
        per_weight[weight] = [r["ndcg@10"] for r in score_rows(kb, queries, "hybrid", language)]
    search_module.CONTEXT_WEIGHT = CONTEXT_WEIGHTS[0]
    rng = random.Random(15)
    measured: dict[str, list[float]] = {"all": [], "topical": []}
    for _ in range(SPLITS):
        order = list(range(len(queries)))
        rng.shuffle(order)
        halves = (order[: len(order) // 2], order[len(order) // 2:])
        for train, test in (halves, halves[::-1]):
            best = max(CONTEXT_WEIGHTS, key=lambda w: sum(per_weight[w][i] for i in train))
            measured["all"] += [per_weight[best][i] for i in test]
            measured["topical"] += [per_weight[best][i] for i in test if queries[i]["type"] == "topical"]
    return {group: round(sum(values) / len(values), 4) for group, values in measured.items()}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over all rows and per query type."""
    summary: dict[str, Any] = {}
    for group in ("all", "known_item", "topical", "constrained"):
        chosen = [r for r in rows if group == "all" or r["type"] == group]
        summary[group] = {m: round(sum(r[m] for r in chosen) / len(chosen), 4)
                          for m in ("recall@5", "mrr@10", "ndcg@10")}
    return summary


def main() -> None:
    """Run the quality benchmark and print a Markdown table."""
    queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    kb = temp_knowledge()
    kb.load([Path(CATALOGUE)])
    results = {mode: evaluate(kb, queries, mode) for mode in MODES}
    english = {mode: evaluate(kb, queries, mode, "en") for mode in MODES}
    validated = {"every language": cross_validated(kb, queries, "*"),
                 "English speaker": cross_validated(kb, queries, "en")}
    best_single = max(results["lexical"]["all"]["ndcg@10"], results["dense"]["all"]["ndcg@10"])
    gain = results["hybrid"]["all"]["ndcg@10"] / best_single - 1 if best_single else 0.0
    write_result("search_quality", {"queries": len(queries), "modes": results, "modes_english_speaker": english,
                                    "hybrid_cross_validated": validated,
                                    "hybrid_ndcg_gain_over_best_single": round(gain, 4)})
    print("| language | mode | Recall@5 | MRR@10 | nDCG@10 | nDCG@10 known-item | topical | constrained |")
    print("|---|---|---|---|---|---|---|---|")
    for label, table in (("every language", results), ("English speaker", english)):
        for mode in MODES:
            r = table[mode]
            print(f"| {label} | {mode} | {r['all']['recall@5']:.3f} | {r['all']['mrr@10']:.3f} | "
                  f"{r['all']['ndcg@10']:.3f} | {r['known_item']['ndcg@10']:.3f} | {r['topical']['ndcg@10']:.3f} | "
                  f"{r['constrained']['ndcg@10']:.3f} |")
    for label, values in validated.items():
        print(f"\nhybrid, {label}, context weight cross-validated ({SPLITS}x2-fold): "
              f"nDCG@10 {values['all']:.3f}, topical {values['topical']:.3f}")
    print(f"\nhybrid nDCG@10 vs the better single mode: {gain:+.1%}")


if __name__ == "__main__":
    main()
