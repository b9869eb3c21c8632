"""Issuing benchmark: Open Badges 3.0 credentials Badger signs per second and verifies per second, peak memory.

Cases (one thread, offline, SQLite in a temp dir):
- build + sign: the OpenBadgeCredential for one enrolment, proof eddsa-rdfc-2022 (RDFC-1.0 over pyld) or VC-JWT;
- issue in the award flow: `award` of an `issued_by: self` credential, committed (EARNED, shoutout, signed row, DM);
- verify: Badger's own `verify_badge` on an issued credential, status list answered from the database (a signed
  list: its proof is checked too, once a minute as the verifier memoises it, or every time); baseline: the same
  pipeline on the 1EdTech vc-test-fixture (no status).
The canonical-hash memo is cleared before every run, so each one does the real JSON-LD work.
Writes bench/results/issuing.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bench.common import ROOT, peak_rss_mb, percentiles, write_result
from core.db import init_db, make_engine
from knowledge.models import Credential
from skills.badges import linked_data
from skills.badges.fetch import Fetcher
from skills.badges.ob3 import forget_verified_lists
from skills.badges.verify import verify_badge
from skills.issuing.build import build_credential
from skills.issuing.identity import issuer_from_settings
from skills.issuing.models import IssuedCredential
from skills.issuing.service import Issuing, LocalFetcher, exported
from skills.issuing.sign import add_proof, sign_jwt
from skills.models import Employee
from skills.recognition import ShoutoutPolicy, award
from tests.skills.badges.badge_helpers import VCS
from tests.skills.factories import make_org, set_email
from tests.skills.issuing.conftest import add_self_credential, issuer_settings

TARGET = 50.0  # credentials per second, signing and verifying


def measure(run: Callable[[int], Any], seconds: float, min_runs: int) -> dict[str, Any]:
    """Call `run(i)` repeatedly for about `seconds`; rate per second and latency percentiles."""
    run(-1)  # warm-up: contexts parsed and cached
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < min_runs or time.perf_counter() - started < seconds:
        linked_data.clear_memo()
        t0 = time.perf_counter()
        run(len(samples))
        samples.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    return {"per_second": round(len(samples) / elapsed, 1), "latency_ms": percentiles(samples)}


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per case")
    parser.add_argument("--min-runs", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="badger-bench-issuing-"))
    engine = make_engine(f"sqlite:///{tmp / 'badger.db'}")
    init_db(engine)
    org = make_org(engine)
    add_self_credential(org)
    set_email(engine, "UDANA", "dana@example.org")
    settings = issuer_settings(tmp)
    issuer = issuer_from_settings(settings)
    with Session(engine) as session:
        catalogue = session.get(Credential, "lead-101")
        assert catalogue is not None
        session.expunge(catalogue)
    now = datetime.now(UTC)

    def unsigned(i: int) -> dict[str, Any]:
        return build_credential(issuer, uid=str(uuid.uuid4()), catalogue=catalogue, email="dana@example.org",
                                earned=now, completed=None, confirmed_by="Mia", status_list=1,
                                status_index=max(i, 0))

    def sign_di(i: int) -> None:
        add_proof(unsigned(i), key=issuer.signing_key, method=issuer.verification_method, created=now)

    def sign_vc_jwt(i: int) -> None:
        sign_jwt(unsigned(i), key=issuer.signing_key, method=issuer.verification_method, issuer=issuer.did)

    people = iter(range(1_000_000))

    def issue_in_award(_: int) -> None:
        user = f"UBENCH{next(people)}"
        with Session(engine) as session:
            session.add(Employee(user_id=user, name=user, email=f"{user.lower()}@example.org", manager_id="UMIA"))
            session.commit()
            award(session=session, actor=org.mia, employee_id=user, credential_id="lead-101",
                  policy=ShoutoutPolicy(issuing=Issuing.from_settings(settings)))
            session.commit()

    with Session(engine) as session:
        award(session=session, actor=org.mia, employee_id="UDANA", credential_id="lead-101",
              policy=ShoutoutPolicy(issuing=Issuing.from_settings(settings)))
        session.commit()
        row = session.exec(select(IssuedCredential)).first()
        assert row is not None
        ours = exported(row).encode()
        jwt_token = sign_jwt(unsigned(0), key=issuer.signing_key, method=issuer.verification_method,
                             issuer=issuer.did)
    fixture = (VCS / "v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-basicOBv3.json").read_bytes()

    def verify(source: bytes, *, fresh_list: bool = False) -> Callable[[int], None]:
        def run(_: int) -> None:
            if fresh_list:
                forget_verified_lists()
            with Session(engine) as session:
                result = verify_badge(source, fetcher=LocalFetcher(session, issuer))
                assert result.valid, result.errors
        return run

    def verify_fixture(_: int) -> None:
        assert verify_badge(fixture, fetcher=Fetcher(offline=True)).valid

    cases: dict[str, tuple[str, Callable[[int], Any]]] = {
        "build + sign, eddsa-rdfc-2022": ("sign", sign_di),
        "build + sign, VC-JWT (EdDSA)": ("sign", sign_vc_jwt),
        "issue in the award flow (committed, SQLite)": ("sign", issue_in_award),
        "verify ours, eddsa-rdfc-2022 (status list verified once a minute)": ("verify", verify(ours)),
        "verify ours, eddsa-rdfc-2022 (status list verified every time)": ("verify", verify(ours, fresh_list=True)),
        "verify ours, VC-JWT (status list verified once a minute)": ("verify", verify(jwt_token.encode())),
        "baseline: verify the 1EdTech fixture (no status)": ("verify", verify_fixture),
    }
    results: dict[str, Any] = {"single_thread": True, "network": "none", "memo": "cleared before every run",
                               "target_per_second": TARGET, "cases": {}}
    for name, (kind, run) in cases.items():
        results["cases"][name] = {"kind": kind, **measure(run, args.seconds, args.min_runs)}
    results["peak_rss_mb"] = peak_rss_mb()
    base = results["cases"]["baseline: verify the 1EdTech fixture (no status)"]["per_second"]
    for row_ in results["cases"].values():
        row_["vs_baseline"] = round(row_["per_second"] / base, 2)
    path = write_result("issuing", results)
    print("One thread, offline; canonical-hash memo cleared before every run. Target: "
          f"≥ {TARGET:g}/s signing and verifying.\n")
    print("| case | per second | p50 ms | p95 ms | × baseline |\n|---|---:|---:|---:|---:|")
    for name, row_ in results["cases"].items():
        lat = row_["latency_ms"]
        print(f"| {name} | {row_['per_second']} | {lat['p50']} | {lat['p95']} | {row_['vs_baseline']} |")
    print(f"\nPeak RSS {results['peak_rss_mb']} MB. "
          f"Written to {path.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
