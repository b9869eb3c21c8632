"""The outcome of a verification: named checks in the order of the 1EdTech verification guide."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class CheckFailed(Exception):
    """A check failed; `name` says which, the message is safe to show."""

    def __init__(self, name: str, detail: str) -> None:
        self.name = name
        self.detail = detail
        super().__init__(detail)


@dataclass(frozen=True)
class Check:
    """One named step of the verification and how it went."""

    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class EndorsementResult:
    """One endorsement found in the credential (`where` is its JSON path) and whether it verified on its own."""

    where: str
    issuer: str | None
    valid: bool
    detail: str = ""


@dataclass
class Verification:
    """What verifying one badge found; `credential` is the verified document (the OB 2.0 assertion, or the VC)."""

    format: str = "unknown"
    issuer: str | None = None
    issuer_id: str | None = None
    achievement: str | None = None
    achievement_id: str | None = None
    credential_id: str | None = None
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] = field(default_factory=dict)
    badge_class: dict[str, Any] = field(default_factory=dict)
    endorsements: list[EndorsementResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # problems that do not make the badge invalid

    @property
    def valid(self) -> bool:
        """True when at least one check ran and every check passed."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def errors(self) -> list[str]:
        """The failed checks as "name: detail" lines."""
        return [f"{c.name}: {c.detail}" for c in self.checks if not c.ok]

    @property
    def failed(self) -> str | None:
        """The name of the first failed check, if any."""
        return next((c.name for c in self.checks if not c.ok), None)

    def ok(self, name: str, detail: str = "") -> None:
        """Record a passed check."""
        self.checks.append(Check(name, True, detail))

    def fail(self, name: str, detail: str) -> None:
        """Record a failed check."""
        self.checks.append(Check(name, False, detail))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape printed by `badger badges verify --json`."""
        return {
            "valid": self.valid,
            "format": self.format,
            "issuer": self.issuer,
            "issuer_id": self.issuer_id,
            "achievement": self.achievement,
            "achievement_id": self.achievement_id,
            "credential_id": self.credential_id,
            "checks": [asdict(c) for c in self.checks],
            "errors": self.errors,
            "warnings": list(self.warnings),
            "endorsements": [asdict(e) for e in self.endorsements],
        }
