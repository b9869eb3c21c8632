"""What a message asks for: the intents and the slots the router reads from the words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    """Everything the assistant understands."""

    FIND = "find"
    REFINE = "refine"
    DETAILS = "details"
    MORE_LIKE = "more_like"
    ENROL = "enrol"
    PROGRESS = "progress"
    COMPLETE = "complete"
    STATUS = "status"
    GAPS = "gaps"
    TEAM = "team"
    TEAM_GAPS = "team_gaps"
    NOMINATE = "nominate"
    PENDING = "pending"
    APPROVE = "approve"
    DECLINE = "decline"
    TALENT = "talent"
    BADGES = "badges"
    HELP = "help"
    CLARIFY = "clarify"  # a reference with no verb: ask back


@dataclass(frozen=True)
class Refinement:
    """Follow-up constraints on the previous search ("cheaper?", "shorter?", "free ones?", "more")."""

    cheaper: bool = False
    shorter: bool = False
    free: bool = False
    level: str | None = None
    more: bool = False


@dataclass(frozen=True)
class Parsed:
    """An intent with its slots; `ref` is how the user pointed at a credential ("2", "the AWS one")."""

    intent: Intent
    query: str = ""
    ref: str = ""
    percent: int | None = None
    person: str = ""
    reason: str = ""
    enrolment_id: int | None = None
    refine: Refinement | None = None
