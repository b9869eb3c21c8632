"""Catalogue loads: all-or-nothing, incremental re-embedding, --replace, --skip-invalid, repair."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from knowledge.base import KnowledgeBase
from knowledge.catalogue import CatalogueLoadError
from knowledge.models import ACTIVE, RETIRED, Credential
from tests.knowledge.conftest import DATA, FIVE

MakeKB = Callable[..., KnowledgeBase]


def rows(kb: KnowledgeBase) -> dict[str, Credential]:
    with Session(kb.engine) as session:
        return {row.id: row for row in session.exec(select(Credential)).all()}


def active_ids(kb: KnowledgeBase) -> set[str]:
    return {i for i, row in rows(kb).items() if row.status == ACTIVE}


def index_state(kb: KnowledgeBase) -> dict[str, str]:
    return {i: meta["embed_hash"] for i, meta in kb.index.state().items()}


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_first_load_fills_database_and_index(make_kb: MakeKB) -> None:
    kb = make_kb()
    report = kb.load([FIVE])
    assert (report.added, report.embedded) == (5, 5)
    assert len(active_ids(kb)) == 5
    assert set(index_state(kb)) == active_ids(kb)
    assert kb.index.built_with() == "all-MiniLM-L6-v2"


def test_invalid_file_changes_nothing(make_kb: MakeKB, tmp_path: Path) -> None:
    kb = make_kb()
    kb.load([FIVE])
    before_rows = {i: r.content_hash for i, r in rows(kb).items()}
    before_index = index_state(kb)
    changed = tmp_path / "changed.jsonl"
    shutil.copy(DATA / "bad" / "mixed_valid_invalid.jsonl", changed)
    with pytest.raises(CatalogueLoadError) as excinfo:
        kb.load([changed, FIVE], replace=True)
    assert len(excinfo.value.issues) == 2
    assert all("changed.jsonl line" in str(issue) for issue in excinfo.value.issues)
    assert {i: r.content_hash for i, r in rows(kb).items()} == before_rows
    assert index_state(kb) == before_index


def test_skip_invalid_loads_the_valid_records_and_reports_the_rest(make_kb: MakeKB) -> None:
    kb = make_kb()
    report = kb.load([DATA / "bad" / "mixed_valid_invalid.jsonl"], skip_invalid=True)
    assert report.added == 3
    assert len(report.skipped) == 2
    assert len(active_ids(kb)) == 3


def test_reload_embeds_only_new_or_changed_entries(make_kb: MakeKB, tmp_path: Path) -> None:
    kb = make_kb()
    lines = (DATA / "formats" / "five.jsonl").read_text(encoding="utf-8").splitlines()
    path = write_jsonl(tmp_path / "cat.jsonl", lines)
    kb.load([path])
    assert kb.load([path]).embedded == 0

    import json

    records = [json.loads(line) for line in lines]
    records[0]["cost"] = 99.0  # metadata only: no new embedding, but the filter must see it
    records[1]["description"] = "Completely rewritten description about negotiation."
    records.append({"id": "brand-new", "title": "Brand new credential", "provider": "Acme"})
    write_jsonl(path, [json.dumps(r) for r in records])
    report = kb.load([path])
    assert (report.added, report.updated, report.unchanged, report.embedded) == (1, 2, 3, 2)
    assert kb.index.state()[records[0]["id"]]["cost"] == 99.0
    assert rows(kb)[records[1]["id"]].description.startswith("Completely rewritten")


def test_replace_retires_vanished_entries_but_keeps_them_readable(make_kb: MakeKB, tmp_path: Path) -> None:
    kb = make_kb()
    lines = (DATA / "formats" / "five.jsonl").read_text(encoding="utf-8").splitlines()
    path = write_jsonl(tmp_path / "cat.jsonl", lines)
    other = write_jsonl(tmp_path / "other.jsonl", ['{"id": "other-1", "title": "Other", "provider": "Elsewhere"}'])
    kb.load([path, other])
    gone = rows(kb)
    write_jsonl(path, lines[:3])

    assert kb.load([path]).retired == 0  # without --replace nothing is retired
    report = kb.load([path], replace=True)
    assert report.retired == 2
    after = rows(kb)
    retired = {i for i, r in after.items() if r.status == RETIRED}
    assert len(retired) == 2 and retired < set(gone)
    assert "other-1" in active_ids(kb)  # another source's entries are untouched
    assert set(index_state(kb)) == active_ids(kb)
    title = after[next(iter(retired))].title
    assert all(hit.id not in retired for hit in kb.search(title, k=10).hits)

    write_jsonl(path, lines)
    assert kb.load([path], replace=True).reactivated == 2


def test_model_mismatch_asks_for_reindex(make_kb: MakeKB) -> None:
    kb = make_kb()
    kb.load([FIVE])
    kb.index.mark_model("some-other-model")
    with pytest.raises(Exception, match="badger catalogue reindex"):
        make_kb().load([FIVE])
    with pytest.raises(Exception, match="badger catalogue reindex"):
        make_kb().search("negotiation")
    assert make_kb().reindex() == 5
    assert make_kb().search("negotiation", k=3).hits


def test_repair_fills_gaps_left_in_the_index(make_kb: MakeKB) -> None:
    kb = make_kb()
    kb.load([FIVE])
    missing = sorted(active_ids(kb))[:2]
    kb.index.delete(missing)
    kb.index.upsert(["ghost"], kb.embedder().embed_documents(["ghost"]), [{"embed_hash": "x"}])
    assert kb.repair() == 2
    assert set(index_state(kb)) == active_ids(kb)


def test_every_canonical_format_loads_the_same_catalogue(make_kb: MakeKB, tmp_path: Path) -> None:
    formats = DATA / "formats"
    loaded = {}
    for name in ("five.yaml", "five_wrapped.yaml", "five.json", "five.jsonl", "five.csv"):
        kb = make_kb(badger_data_dir=tmp_path / name)
        kb.load([formats / name])
        loaded[name] = {i: (r.title, r.provider, tuple(r.skills), r.level, r.cost) for i, r in rows(kb).items()}
    assert len({tuple(sorted(v.items())) for v in loaded.values()}) == 1
