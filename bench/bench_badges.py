"""Badge verification benchmark: Open Badges 3.0 Data Integrity and VC-JWT verifications per second.

Each case runs the whole `verify_badge` pipeline (parse, context, schema, proof, status, validity) offline:
did:key issuers, JSON-LD contexts from the shipped files and cached in memory after a warm-up.
Writes bench/results/badges.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from bench.common import ROOT, percentiles, write_result
from skills.badges import linked_data
from skills.badges.fetch import Fetcher
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import VCS, credential, sign_di, sign_jwt

OFFLINE = Fetcher(offline=True)


def cases() -> dict[str, tuple[str, bytes]]:
    """Name -> (format, badge bytes)."""
    fixture = VCS / "v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-basicOBv3.json"
    ed2020 = VCS / "v2/ed25519/didKey/legacy-noStatus-noExpiry.json"
    both = VCS / "v2/bothSignatureTypes/didkey/legacy-noStatus-noExpiry.json"
    return {
        "OB 3.0 Data Integrity, eddsa-rdfc-2022 (vc-test-fixture)": ("ob3-di", fixture.read_bytes()),
        "OB 3.0 Data Integrity, eddsa-rdfc-2022 (signed here)": ("ob3-di", json.dumps(sign_di(credential())).encode()),
        "OB 3.0 Data Integrity, Ed25519Signature2020": ("ob3-di", ed2020.read_bytes()),
        "OB 3.0 Data Integrity, both proofs": ("ob3-di", both.read_bytes()),
        "OB 3.0 VC-JWT, EdDSA": ("ob3-jwt", sign_jwt(credential()).encode()),
    }


def measure(source: bytes, seconds: float, min_runs: int) -> dict[str, Any]:
    """Verify repeatedly for about `seconds`; returns verifications/s and latency percentiles."""
    def run() -> Any:
        linked_data.clear_memo()  # measure real work: only the parsed contexts stay cached between runs
        return verify_badge(source, fetcher=OFFLINE)

    assert run().valid  # warm-up: contexts loaded and cached
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < min_runs or time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        run()
        samples.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    return {"per_second": round(len(samples) / elapsed, 1), "latency_ms": percentiles(samples)}


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table."""
    lines = ["| credential | format | verifications/s | p50 ms | p95 ms |", "|---|---|---:|---:|---:|"]
    for name, row in results["cases"].items():
        lat = row["latency_ms"]
        lines.append(f"| {name} | {row['format']} | {row['per_second']} | {lat['p50']} | {lat['p95']} |")
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per case")
    parser.add_argument("--min-runs", type=int, default=20)
    args = parser.parse_args()
    results: dict[str, Any] = {"contexts": "shipped files, cached in memory", "network": "none (did:key)",
                               "single_thread": True, "memo": "cleared before every run", "cases": {}}
    for name, (fmt, source) in cases().items():
        results["cases"][name] = {"format": fmt, **measure(source, args.seconds, args.min_runs)}
    path = write_result("badges", results)
    print("Full `verify_badge` pipeline, one thread, offline (did:key); JSON-LD contexts cached after a warm-up, "
          "canonical-hash memo cleared before every run.\n")
    print(markdown(results))
    print(f"\nWritten to {path.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
