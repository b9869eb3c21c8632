"""The reminder sweep: which nudges are due, sent in each recipient's working hours, once per period.

Reasons, for one enrolment (the first that applies wins, so one enrolment gets one nudge at a time):
overdue, due soon, stalled (approved or in progress, no change for N days), a nomination unanswered
for N days, and a request waiting N days for its approver (the reminder goes to the approver).
A reminder falls due on a local date in the recipient's timezone and repeats every `repeat_days`
while the condition lasts (due soon: once per due date); its idempotency key carries that date,
so re-running the sweep, an hour or a crash later, never sends it twice. The enrolment's
`last_reminded_at` makes the common case cheap (reminded since the period began: nothing to insert),
and a repeat waits until the last reminder is a full period old (it may have gone out late in its period).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core import clock
from core.settings import Settings
from skills.bulk import insert_notices, mark_reminded, notice_row
from skills.models import State
from skills.notices import Kind
from skills.reminder_rows import WORKING, Candidate, Person, candidates, credentials, people

STALLED, DUE_SOON, OVERDUE = "stalled", "due_soon", "overdue"
NOMINATION, APPROVAL = "nomination_unanswered", "approval_pending"


@dataclass(frozen=True)
class ReminderRules:
    """When reminders fall due and when they may be sent (local hours, Monday to Friday)."""

    hours: tuple[int, int] = (9, 17)
    stalled_days: int = 14
    due_soon_days: int = 3
    nomination_days: int = 3
    approval_days: int = 2
    repeat_days: int = 7
    default_timezone: str = "UTC"
    weekends: bool = False  # True: Saturdays and Sundays count as working days

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderRules:
        """The rules from BADGER_WORKING_HOURS and the BADGER_*_DAYS settings."""
        return cls(
            hours=settings.working_hours,
            stalled_days=settings.badger_stalled_days,
            due_soon_days=settings.badger_due_soon_days,
            nomination_days=settings.badger_nomination_reminder_days,
            approval_days=settings.badger_approval_reminder_days,
            default_timezone=settings.badger_timezone,
        )


@dataclass(frozen=True)
class SweepReport:
    """What a sweep decided; outside hours counts reminders owed to someone outside their hours (sent or not)."""

    considered: int = 0
    queued: int = 0
    skipped_outside_hours: int = 0
    already_sent: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


def reminder_payload(
    row: Candidate, reason: str, days: int, employee_name: str, credential: tuple[str, str]
) -> dict[str, Any]:
    """The reminder notice's payload (the schema the Slack renderer reads)."""
    return {
        "reason": reason,
        "enrolment_id": row.id,
        "credential_id": row.credential_id,
        "credential_title": credential[0],
        "provider": credential[1],
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "percent": row.percent,
        "days": days,
        "employee_id": row.employee_id,
        "employee_name": employee_name,
    }


class _Due(NamedTuple):
    """One reminder owed now (a tuple: the sweep makes tens of thousands)."""

    recipient: str
    reason: str
    start: date  # the first local day of this reminder's period: the date in its key
    days: int
    open: bool  # the recipient is in working hours now
    recent: bool  # reminded already this period (or a period has not passed since): counts as already sent


class _Decider:
    """Decides the reminders one candidate row owes, with per-timezone caching."""

    def __init__(self, people: dict[str, Person], now: datetime, rules: ReminderRules) -> None:
        self.people, self.now, self.rules = people, now, rules
        self.fallback = clock.zone(rules.default_timezone) or ZoneInfo("UTC")
        self._local: dict[str | None, tuple[ZoneInfo, date, bool]] = {}
        self.admins = sorted((user_id, p.timezone) for user_id, p in people.items() if p.is_admin)

    def local(self, name: str | None) -> tuple[ZoneInfo, date, bool]:
        """(zone, local date, open: a weekday within working hours) for a timezone name."""
        found = self._local.get(name)
        if found is None:
            zone = (clock.zone(name) if name else None) or self.fallback
            here = self.now.astimezone(zone)
            start, end = self.rules.hours
            found = zone, here.date(), (self.rules.weekends or here.weekday() < 5) and start <= here.hour < end
            self._local[name] = found
        return found

    def owed(self, row: Candidate) -> list[_Due]:
        """The reminders this enrolment owes now (usually none or one)."""
        learner = self.people[row.employee_id]
        if row.state in WORKING:
            zone, today, open_ = self.local(learner.timezone)
            decided = self._learner_reason(row, today, zone)
            if decided is None:
                return []
            reason, anchor, start, days = decided
            return [_Due(row.employee_id, reason, start, days, open_, self._recent(row, anchor, start, today, zone))]
        if row.state == State.NOMINATED:
            reason, wait, recipients = NOMINATION, self.rules.nomination_days, [(row.employee_id, learner.timezone)]
        else:  # requested: the approver decides (approvers_for: the manager, else every other admin)
            reason, wait = APPROVAL, self.rules.approval_days
            manager = self.people.get(learner.manager_id) if learner.manager_id else None
            recipients = [(str(learner.manager_id), manager.timezone)] if manager is not None else [
                (user_id, tz) for user_id, tz in self.admins if user_id != row.employee_id]
        owed = []
        for recipient, tz in recipients:
            zone, today, open_ = self.local(tz)
            since = _day(row.updated_at, zone)
            first = since + timedelta(days=wait)
            begins = self._start(first, today)
            if begins is not None:
                recent = self._recent(row, first, begins, today, zone, shared=len(recipients) > 1)
                owed.append(_Due(recipient, reason, begins, (today - since).days, open_, recent))
        return owed

    def _learner_reason(self, row: Candidate, today: date, zone: ZoneInfo) -> tuple[str, date, date, int] | None:
        """(reason, anchor, period start, days) for an approved or in-progress enrolment, or None."""
        due: date | None = row.due_date
        if due is not None and (due - today).days <= self.rules.due_soon_days:
            if today > due:
                reason, anchor, days = OVERDUE, due + timedelta(days=1), (today - due).days
            else:  # due soon: once per due date, so the period never repeats
                reason, anchor, days = DUE_SOON, due - timedelta(days=self.rules.due_soon_days), (due - today).days
                return reason, anchor, anchor, days
        else:
            since = _day(row.updated_at, zone)
            reason, anchor, days = STALLED, since + timedelta(days=self.rules.stalled_days), (today - since).days
        start = self._start(anchor, today)
        return None if start is None else (reason, anchor, start, days)

    def _start(self, anchor: date, today: date) -> date | None:
        """The first day of the current period, or None before the first."""
        every = self.rules.repeat_days
        return None if today < anchor else anchor + timedelta(days=(today - anchor).days // every * every)

    def _recent(self, row: Candidate, anchor: date, start: date, today: date, zone: ZoneInfo,
                shared: bool = False) -> bool:
        """Reminded already in this period, or a repeat less than a period after the last reminder."""
        last: datetime | None = row.last_reminded_at
        if last is None:
            return False
        last_day = _day(last, zone)
        if last_day >= start and not shared:  # (one of several admins may still be owed theirs)
            return True
        return start > anchor and (today - last_day).days < self.rules.repeat_days


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def reminder_key(reason: str, enrolment_id: int, start: date, recipient: str | None = None) -> str:
    """The idempotency key: one reminder per reason, enrolment, period (and approver)."""
    suffix = f":{recipient}" if recipient else ""
    return f"{Kind.REMINDER}:{reason}:{enrolment_id}:{start.isoformat()}{suffix}"


def sweep(*, session: Session, now: datetime, rules: ReminderRules) -> SweepReport:
    """Queue every reminder due now whose recipient is in working hours; never the same one twice."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rows = candidates(session, now=now, stalled_days=rules.stalled_days, due_soon_days=rules.due_soon_days,
                      nomination_days=rules.nomination_days, approval_days=rules.approval_days)
    everyone = people(session)
    decider = _Decider(everyone, now, rules)
    outside = recent = 0
    sending: list[tuple[Candidate, _Due]] = []
    for row in rows:
        for due in decider.owed(row):
            if due.recent:
                recent += 1
            elif not due.open:
                outside += 1
            else:
                sending.append((row, due))
    titles = credentials(session, (row.credential_id for row, _ in sending))
    queue = [
        notice_row(kind=Kind.REMINDER, recipient_id=due.recipient, enrolment_id=row.id,
                   idempotency_key=reminder_key(due.reason, row.id, due.start,
                                                due.recipient if due.reason == APPROVAL else None),
                   payload=reminder_payload(row, due.reason, due.days, everyone[row.employee_id].name,
                                            titles.get(row.credential_id, (row.credential_id, ""))))
        for row, due in sending
    ]
    inserted = set(insert_notices(session, queue))
    fresh = [n for n in queue if n["idempotency_key"] in inserted]
    mark_reminded(session, sorted({n["enrolment_id"] for n in fresh}), now)
    return SweepReport(
        considered=len(rows),
        queued=len(fresh),
        skipped_outside_hours=outside,
        already_sent=recent + len(queue) - len(fresh),
        by_reason=dict(Counter(n["payload"]["reason"] for n in fresh)),
    )
