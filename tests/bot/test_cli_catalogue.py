"""The `badger` CLI as a user runs it: exit codes, messages, JSON output, batch search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

DATA = Path(__file__).resolve().parent.parent / "data"
runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"BADGER_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": "", "CHROMA_URL": ""}


def badger(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "command",
    [[], ["catalogue"], ["catalogue", "load"], ["catalogue", "stats"], ["catalogue", "reindex"], ["search"],
     ["chat"], ["demo"]],
)
def test_every_command_has_help(env: dict[str, str], command: list[str]) -> None:
    code, out, _ = badger(env, *command, "--help")
    assert code == 0 and "Usage" in out and "--help" in out


def test_load_then_search_json_and_stats(env: dict[str, str]) -> None:
    code, out, _ = badger(env, "catalogue", "load", str(DATA / "catalogue_eval.jsonl"))
    assert code == 0 and "187 added" in out
    code, out, _ = badger(env, "search", "negotiation for a pay raise", "--json", "--k", "3")
    hits = json.loads(out)
    assert code == 0 and len(hits) == 3
    assert {"id", "title", "provider", "score", "why"} <= set(hits[0]) and hits[0]["id"] == "negotiation-skills"
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]
    code, out, _ = badger(env, "catalogue", "stats", "--json")
    stats = json.loads(out)
    assert (stats["active"], stats["index_vectors"], stats["embedding_model"]) == (187, 187, "all-MiniLM-L6-v2")
    assert stats["by_level"]["beginner"] > 0 and stats["by_provider"]["Google Cloud"] > 0


def test_batch_search_prints_one_json_line_per_query(env: dict[str, str], tmp_path: Path) -> None:
    badger(env, "catalogue", "load", str(DATA / "catalogue_eval.jsonl"))
    queries = tmp_path / "queries.txt"
    queries.write_text("free google cloud networking course\n\nlevel up my excel\n", encoding="utf-8")
    code, out, _ = badger(env, "search", "--batch", str(queries), "--json", "--k", "5")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["query"] for line in lines] == ["free google cloud networking course", "level up my excel"]
    assert all(hit["provider"] == "Google Cloud" and hit["cost"] == 0 for hit in lines[0]["results"])
    assert all(isinstance(line["took_ms"], float) and len(line["results"]) == 5 for line in lines)


def test_invalid_catalogue_exits_non_zero_and_names_each_problem(env: dict[str, str]) -> None:
    code, _, err = badger(env, "catalogue", "load", str(DATA / "bad" / "mixed_valid_invalid.jsonl"))
    assert code == 1
    assert "mixed_valid_invalid.jsonl line" in err and "provider" in err and "guru" in err
    assert "nothing was changed" in err and "--skip-invalid" in err
    code, out, _ = badger(env, "catalogue", "stats", "--json")
    assert json.loads(out)["active"] == 0


def test_skip_invalid_reports_what_it_skipped(env: dict[str, str]) -> None:
    code, out, err = badger(env, "catalogue", "load", "--skip-invalid", str(DATA / "bad" / "mixed_valid_invalid.jsonl"))
    assert code == 0 and "3 added" in out and "2 skipped" in out
    assert err.count("skipped") == 2


def test_foreign_csv_loads_with_map_and_default(env: dict[str, str]) -> None:
    code, out, _ = badger(
        env, "catalogue", "load", str(DATA / "raw" / "udemy_courses_head.csv"), "--json",
        "--map", "id=course_id", "--map", "title=course_title", "--map", "cost=price",
        "--map", "duration_hours=content_duration", "--default", "provider=Udemy",
    )
    assert code == 0 and json.loads(out)["added"] == 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["catalogue", "load", "nope.yaml"], "file not found"),
        (["catalogue", "load", "x.csv", "--map", "title"], "FIELD=VALUE"),
        (["search", "python", "--level", "guru"], "unknown level"),
        (["search"], "QUERY or --batch"),
    ],
)
def test_bad_arguments_get_a_clear_message(env: dict[str, str], args: list[str], message: str) -> None:
    code, out, err = badger(env, *args)
    assert code != 0 and message in out + err
    assert "Traceback" not in out + err


def test_bad_setting_is_reported_without_a_traceback(env: dict[str, str]) -> None:
    code, _, err = badger({**env, "LOG_LEVEL": "chatty"}, "catalogue", "stats")
    assert code == 2 and "LOG_LEVEL" in err and "Traceback" not in err
