"""The enrolment approval policy, read from settings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.settings import Settings, get_settings
from knowledge.models import Credential


class Policy(BaseModel):
    """When an enrolment needs a manager's approval."""

    approval_cost_threshold: float = Field(default=500, ge=0)
    approval_required_for_all: bool = False

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Policy:
        """The policy from BADGER_APPROVAL_COST_THRESHOLD and BADGER_APPROVAL_REQUIRED_FOR_ALL."""
        settings = settings or get_settings()
        return cls(
            approval_cost_threshold=settings.badger_approval_cost_threshold,
            approval_required_for_all=settings.badger_approval_required_for_all,
        )

    def needs_approval(self, credential: Credential) -> bool:
        """True when enrolling needs approval; costs are compared as listed, without currency conversion."""
        if self.approval_required_for_all:
            return True
        return (credential.cost or 0) > self.approval_cost_threshold
