"""An admin hides a catalogue entry from search, or shows it again."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.models import Credential, HiddenCredential


def set_hidden(engine: Engine, credential_id: str, *, hidden: bool) -> bool:
    """Hide (or unhide) one entry from search; False when it already was; ValueError for an unknown id."""
    with Session(engine) as session:
        if session.get(Credential, credential_id) is None:
            raise ValueError(f"no catalogue entry with id {credential_id!r}")
        row = session.get(HiddenCredential, credential_id)
        if (row is not None) == hidden:
            return False
        if hidden:
            session.add(HiddenCredential(credential_id=credential_id))
        else:
            session.delete(row)
        session.commit()
        return True
