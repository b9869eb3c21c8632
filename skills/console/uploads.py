"""Console uploads: a catalogue file's dry-run diff then its all-or-nothing load, the org chart, retirements."""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as replace_dc
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select as select_many
from sqlmodel import Session, col, delete

from core.errors import NotFoundError
from knowledge.catalogue import CatalogueLoadError, LoadReport
from knowledge.loaders import SUFFIXES, LoadIssue, parse_files
from knowledge.models import ACTIVE, RETIRED, Credential
from skills.console.access import Scope, require_admin
from skills.console.models import AdminAction, ConsoleUpload
from skills.console.tables import Table
from skills.errors import ValidationFailed
from skills.models import utcnow
from skills.org import OrgLoad, load_org

ORG_SUFFIXES = (".csv", ".yaml", ".yml")
UPLOAD_KEPT = timedelta(days=1)  # a dry run not applied within a day is forgotten
Loader = Callable[[Sequence[Path], bool], LoadReport]  # (paths, replace) -> report; KnowledgeBase.load


def safe_name(filename: str, allowed: Sequence[str]) -> str:
    """The uploaded file's base name, checked for an allowed type; nothing of the client's path survives."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename.replace("\\", "/")).name).strip("._") or "upload"
    if Path(name).suffix.lower() not in allowed:
        raise ValidationFailed(f"{name}: a file of this type can't be loaded here; use {', '.join(allowed)}.")
    return name[:120]


def check_content(name: str, content: bytes, max_bytes: int) -> None:
    """Refuse empty, oversized and binary uploads before anything parses them."""
    if not content:
        raise ValidationFailed(f"{name}: the file is empty.")
    if len(content) > max_bytes:
        raise ValidationFailed(f"{name}: the file is {len(content) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB.")
    if b"\x00" in content[:65536]:
        raise ValidationFailed(f"{name}: this is a binary file, not a text catalogue or org chart.")


def issues_table(issues: Sequence[LoadIssue]) -> Table:
    """Load problems as a table: file, record, id, field, why."""
    rows = [(Path(i.source).name, i.location, i.record_id, i.field, i.reason) for i in issues]
    return Table("errors", "Problems found (nothing was changed)", ["File", "Where", "Id", "Field", "Problem"], rows)


@dataclass
class CatalogueDiff:
    """What applying an uploaded catalogue file would change, or why it can't be loaded."""

    upload_id: str | None
    filename: str
    replace: bool
    new: list[tuple[str, str, str]] = field(default_factory=list)  # (id, title, provider)
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    retired: list[tuple[str, str, str]] = field(default_factory=list)
    unchanged: int = 0
    issues: list[LoadIssue] = field(default_factory=list)

    def tables(self) -> list[Table]:
        """The diff (or the problems) as tables."""
        if self.issues:
            return [issues_table(self.issues)]
        columns = ["Id", "Title", "Provider"]
        return [Table("new", f"New ({len(self.new)})", columns, self.new),
                Table("changed", f"Changed ({len(self.changed)})", columns, self.changed),
                Table("retired", f"Retired ({len(self.retired)})", columns, self.retired)]


def upload_path(data_dir: Path, name: str) -> Path:
    """Where an uploaded catalogue lives: one stable path per file name, so re-uploads replace their entries."""
    folder = Path(data_dir) / "console-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def catalogue_dry_run(*, session: Session, scope: Scope, data_dir: Path, filename: str, content: bytes,
                      replace: bool, max_bytes: int) -> CatalogueDiff:
    """Validate an uploaded catalogue like `badger catalogue load` and say what applying it would change."""
    require_admin(scope)
    name = safe_name(filename, tuple(SUFFIXES))
    check_content(name, content, max_bytes)
    with tempfile.TemporaryDirectory(prefix="badger-upload-") as folder:
        probe = Path(folder) / name
        probe.write_bytes(content)
        parsed = parse_files([probe])
    # Messages name the file as uploaded, never where the server put it.
    issues = [replace_dc(i, reason=i.reason.replace(str(probe), name)) for i in parsed.issues]
    diff = CatalogueDiff(upload_id=None, filename=name, replace=replace, issues=issues)
    if diff.issues:
        return diff
    source = str(upload_path(data_dir, name).resolve())
    columns = (Credential.id, Credential.content_hash, Credential.source, Credential.status, Credential.title,
               Credential.provider)
    known = {row[0]: tuple(row) for row in session.execute(select_many(*(col(c) for c in columns)))}
    incoming = set()
    for _, record in parsed.records:
        incoming.add(record.id)
        seen = known.get(record.id)
        entry = (record.id, record.title, record.provider)
        if seen is None or seen[3] != ACTIVE:
            diff.new.append(entry)
        elif seen[1] != record.content_hash or seen[2] != source:
            diff.changed.append(entry)
        else:
            diff.unchanged += 1
    if replace:
        diff.retired = [(i, row[4], row[5]) for i, row in sorted(known.items())
                        if row[3] == ACTIVE and row[2] == source and i not in incoming]
    diff.upload_id = secrets.token_urlsafe(24)
    session.exec(delete(ConsoleUpload).where(col(ConsoleUpload.created_at) < utcnow() - UPLOAD_KEPT))
    session.add(ConsoleUpload(id=diff.upload_id, user_id=scope.user_id, kind="catalogue", filename=name,
                              content=content, replace=replace))
    session.flush()
    return diff


def apply_catalogue(*, session: Session, scope: Scope, data_dir: Path, upload_id: str, load: Loader) -> LoadReport:
    """Load a dry-run upload for real: all or nothing, exactly as `badger catalogue load` would."""
    require_admin(scope)
    upload = session.get(ConsoleUpload, upload_id)
    if upload is None or upload.kind != "catalogue":
        raise NotFoundError("That upload has already been applied or has expired; upload the file again.")
    path = upload_path(data_dir, upload.filename)
    path.write_bytes(upload.content)
    try:
        report = load([path], upload.replace)
    except CatalogueLoadError as exc:
        raise ValidationFailed(str(exc), [str(i).replace(str(path), upload.filename) for i in exc.issues]) from exc
    session.delete(upload)
    session.add(AdminAction(actor_id=scope.user_id, action="catalogue.load", subject=upload.filename,
                            detail=f"{report.added} added, {report.updated} updated, {report.reactivated} "
                                   f"reactivated, {report.retired} retired"))
    session.flush()
    return report


def load_org_upload(*, session: Session, scope: Scope, filename: str, content: bytes, max_bytes: int) -> OrgLoad:
    """Load an uploaded org chart with `badger org load`'s validation, all or nothing (the caller's transaction)."""
    require_admin(scope)
    name = safe_name(filename, ORG_SUFFIXES)
    check_content(name, content, max_bytes)
    with tempfile.TemporaryDirectory(prefix="badger-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        result = load_org(session, path)
    session.add(AdminAction(actor_id=scope.user_id, action="org.load", subject=name,
                            detail=f"{result.created} new, {result.updated} updated"))
    session.flush()
    return result


def retire_credential(*, session: Session, scope: Scope, credential_id: str) -> Credential:
    """An admin retires a catalogue entry: it leaves search; enrolments in it stay."""
    require_admin(scope)
    credential = session.get(Credential, credential_id)
    if credential is None:
        raise NotFoundError(f"There is no credential with the id {credential_id} in the catalogue.")
    if credential.status != RETIRED:
        credential.status, credential.retired_at, credential.updated_at = RETIRED, utcnow(), utcnow()
        session.add(credential)
        session.add(AdminAction(actor_id=scope.user_id, action="catalogue.retire", subject=credential_id,
                                detail=credential.title))
        session.flush()
    return credential
