"""Grounded answers: offline answer latency, and LLM-mode overhead against the fake OpenAI server.

- offline: `Answerer.answer` (hybrid search + composition), model warm, p50/p95 over the dev queries
  (target p95 <= 300 ms). By default on the bundled demo catalogue (184 entries): embedding the
  10k scale catalogue takes about 6 minutes here; `--scale 10000` builds it (needs ../shared).
- LLM overhead: the same questions through the LLM composer and through one agent turn (a search
  tool call, then the reply) against tests/fakes/openai_server.py, which answers instantly, so the
  time is everything but the model's: HTTP, LangChain, prompt building, the guard.
- Fallback: how long a user waits for the offline answer when the model hangs (composer and agent turn,
  default timeouts; the tests only check the fallback's reason).

Writes bench/results/answers.json (answers_scale_N.json with --scale) and prints a Markdown table on
stdout (progress on stderr).

    python -m bench.bench_answers [--queries 100] [--scale N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bench.common import ROOT, percentiles, temp_knowledge, write_result
from knowledge.answer_llm import Answerer
from knowledge.base import KnowledgeBase
from skills.access import Actor
from skills.assistant.memory import ConversationKey, InMemoryThreads
from skills.assistant.service import Assistant
from skills.models import Employee
from tests.fakes.openai_server import FakeOpenAI

DEMO = ROOT / "knowledge" / "demo" / "catalogue.yaml"
QUERIES = ROOT / "tests" / "data" / "dev_queries.jsonl"
TARGET_P95_MS = 300.0
FALLBACK_SAMPLES = 5  # each waits a whole model timeout


def _queries(n: int) -> list[str]:
    rows = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = [str(row["query"]) for row in rows]
    return (queries * (n // len(queries) + 1))[:n]


def _grounded_reply(body: dict[str, Any]) -> dict[str, Any]:
    """What a well-behaved model says: cites the first retrieved entry with its facts."""
    text = json.dumps(body["messages"])
    start = text.find('\\"id\\": \\"')
    if start < 0:
        return {"tool_calls": [("GroundedReply", {"text": "Nothing fits.", "citations": []})]}
    credential_id = text[start + 10:].split('\\"', 1)[0]
    return {"tool_calls": [("GroundedReply", {"text": "This one fits.", "citations": [{"id": credential_id}]})]}


def _timed(fn: Any, queries: list[str]) -> list[float]:
    samples = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _knowledge(scale: int | None) -> tuple[KnowledgeBase, str]:
    kb = temp_knowledge()
    if scale is None:
        kb.load([DEMO])
        return kb, f"demo catalogue ({kb.stats().active} entries)"
    from bench.make_scale_catalogue import write

    path = Path(tempfile.mkdtemp(prefix="badger-answers-")) / "scale.jsonl"
    write(path, scale)
    kb.load([path])
    return kb, f"scale catalogue ({kb.stats().active} entries)"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--scale", type=int, default=None, help="build a catalogue of this many entries")
    args = parser.parse_args(argv)
    print("loading the catalogue…", file=sys.stderr)
    kb, catalogue = _knowledge(args.scale)
    queries = _queries(args.queries)
    offline = Answerer(kb)
    offline.answer("warm up the model")
    offline_ms = _timed(offline.answer, queries)
    print("offline done; LLM mode against the fake server…", file=sys.stderr)
    fake = FakeOpenAI()
    try:
        llm_kb = KnowledgeBase(kb.settings.model_copy(update={"openai_api_key": "sk-bench",
                                                               "openai_base_url": fake.base_url}), engine=kb.engine)
        composer = Answerer.from_settings(llm_kb)
        fake.script = [_grounded_reply] * (len(queries) + 1)
        composer.answer("warm up")
        llm_ms = _timed(composer.answer, queries)
        with Session(kb.engine) as session:
            session.add(Employee(user_id="UBENCH", name="Bench User"))
            session.commit()
        assistant = Assistant.from_settings(llm_kb, memory=InMemoryThreads())
        def agent_turn(query: str) -> None:
            fake.script = [{"tool_calls": [("search_catalogue", {"query": query})]}, _agent_reply]
            message = assistant.handle(actor=Actor("UBENCH"), key=ConversationKey("UBENCH", "bench", query), text=query)
            assert message.mode == "llm", message.fallback

        agent_turn("warm up")
        agent_ms = _timed(agent_turn, queries)
        print("fallback when the model hangs…", file=sys.stderr)
        hung = queries[:FALLBACK_SAMPLES]
        fake.script = [{"hang": 60}] * len(hung)
        composer_fallback_ms = _timed(composer.answer, hung)

        def hung_turn(query: str) -> None:
            fake.script = [{"hang": 60}]
            message = assistant.handle(actor=Actor("UBENCH"), key=ConversationKey("UBENCH", "hung", query), text=query)
            assert message.fallback == "timeout", message.fallback

        agent_fallback_ms = _timed(hung_turn, hung)
    finally:
        fake.stop()
    off, llm, agent = percentiles(offline_ms), percentiles(llm_ms), percentiles(agent_ms)
    composer_fallback, agent_fallback = percentiles(composer_fallback_ms), percentiles(agent_fallback_ms)
    overhead = {"p50": round(llm["p50"] - off["p50"], 2), "p95": round(llm["p95"] - off["p95"], 2)}
    name = "answers" if args.scale is None else f"answers_scale_{args.scale}"
    path = write_result(name, {"catalogue": catalogue, "queries": len(queries), "offline_ms": off,
                                    "llm_composer_ms": llm, "llm_overhead_ms": overhead, "agent_turn_ms": agent,
                                    "target_offline_p95_ms": TARGET_P95_MS,
                                    "fallback_on_hang_ms": {"composer": composer_fallback, "agent": agent_fallback}})
    verdict = "✅" if off["p95"] <= TARGET_P95_MS else "❌"
    print(f"{len(queries)} questions from tests/data/dev_queries.jsonl on the {catalogue}; model warm.\n")
    print("| measure | p50 | p95 | target |\n|---|---|---|---|")
    target = f"≤ {TARGET_P95_MS:g} ms {verdict}"
    print(f"| offline answer (search + compose) | {off['p50']} ms | {off['p95']} ms | {target} |")
    print(f"| LLM composer answer, fake model (instant) | {llm['p50']} ms | {llm['p95']} ms | |")
    print(f"| LLM-mode overhead over offline | {overhead['p50']} ms | {overhead['p95']} ms | |")
    print(f"| agent turn: 2 model calls + search tool + guard | {agent['p50']} ms | {agent['p95']} ms | |")
    print(f"| offline answer when the model hangs (composer) | {composer_fallback['p50']} ms "
          f"| {composer_fallback['p95']} ms | |")
    print(f"| offline answer when the model hangs (agent turn) | {agent_fallback['p50']} ms "
          f"| {agent_fallback['p95']} ms | |")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


def _agent_reply(body: dict[str, Any]) -> dict[str, Any]:
    reply = _grounded_reply({"messages": [m for m in body["messages"] if m.get("role") == "tool"]})
    _, args = reply["tool_calls"][0]
    return {"tool_calls": [("reply", args)]}


if __name__ == "__main__":
    sys.exit(main())
