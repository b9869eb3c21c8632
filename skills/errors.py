"""Domain errors for the learning records; every message is safe to show to a user."""

from __future__ import annotations

from core.errors import BadgerError, NotFoundError

__all__ = ["AlreadyEnrolled", "InvalidTransition", "NotFoundError", "PermissionDenied", "ValidationFailed"]


class PermissionDenied(BadgerError):
    """The acting user may not do this."""


class InvalidTransition(BadgerError):
    """The enrolment is not in a state where this move is allowed."""


class AlreadyEnrolled(BadgerError):
    """The employee already has an active enrolment (or a badge) for this credential."""


class ValidationFailed(BadgerError):
    """Input failed validation; `problems` lists each one ("file:row 3: manager_id: ...")."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message if not self.problems else message + "\n" + "\n".join(self.problems))
