"""The guard on its own: ids, stated facts in citations and in the text."""

from __future__ import annotations

from knowledge.answer_guard import CitedFact, GroundedReply, check
from knowledge.search import Hit

PY = Hit(id="py", title="Python Basics", provider="Northfield University", score=1.0, level="beginner",
         duration_hours=20, cost=0, currency="USD")
K8S = Hit(id="k8s", title="Kubernetes for Developers", provider="Cloud Native Foundation", score=1.0,
          level="intermediate", duration_hours=30, cost=1200, currency="USD")
RETRIEVED = {"py": PY, "k8s": K8S}
PROVIDERS = ["Northfield University", "Cloud Native Foundation", "Acme Academy"]


def _check(text: str, *ids: str, question: str = "") -> list[str]:
    reply = GroundedReply(text=text, citations=[CitedFact(id=i) for i in ids])
    return check(reply, RETRIEVED, question=question, providers=PROVIDERS)


def test_a_faithful_reply_passes() -> None:
    text = "*Python Basics* (Northfield University) is free, 20 h; *Kubernetes for Developers* costs $1,200."
    assert _check(text, "py", "k8s") == []


def test_numbers_the_user_gave_may_be_repeated() -> None:
    assert _check("Here is one under 25 hours: *Python Basics*.", "py", question="python under 25 hours") == []


def test_each_unsupported_statement_is_named() -> None:
    assert _check("x", "nope") == ["cites 'nope', which was not retrieved"]
    assert _check("*Kubernetes for Developers* is free.", "k8s") == ["says free, but no cited entry is free"]
    assert "names the provider 'Acme Academy'" in _check("*Python Basics* by Acme Academy", "py")[0]
    assert "not a cited credential" in _check("Try *Rust for Rustaceans Deluxe*.", "py")[0]
    assert _check("", "py") == ["empty reply"]
