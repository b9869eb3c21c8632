"""Catalogue files in every format, files with one defect each, and foreign CSVs read with --map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.loaders import FieldMap, LoadIssue, ParsedCatalogue, parse_files
from knowledge.schema import CredentialRecord

DATA = Path(__file__).parent.parent / "data"
FORMATS, BAD, RAW = DATA / "formats", DATA / "bad", DATA / "raw"
IDS = [
    "game-theory-1", "sscp-training", "machine-learning-engineering-for-production-mlops",
    "site-reliability-engineering-slos", "excel-essentials",
]
UDEMY_MAP = ["id=course_id", "title=course_title", "cost=price", "duration_hours=content_duration"]


def load(*paths: Path, fmap: FieldMap | None = None) -> ParsedCatalogue:
    return parse_files(list(paths), fmap)


def texts(parsed: ParsedCatalogue) -> list[str]:
    return [str(issue) for issue in parsed.issues]


def by_id(parsed: ParsedCatalogue) -> dict[str, CredentialRecord]:
    return {record.id: record for _, record in parsed.records}


# ---------------------------------------------------------------------------- the five formats
@pytest.mark.parametrize("name", ["five.yaml", "five_wrapped.yaml", "five.jsonl", "five.csv"])
def test_every_format_yields_the_same_five_records(name: str) -> None:
    reference, parsed = load(FORMATS / "five.json"), load(FORMATS / name)
    assert texts(reference) == [] and texts(parsed) == []
    assert [record.id for _, record in parsed.records] == IDS
    assert [r.as_dict() for _, r in parsed.records] == [r.as_dict() for _, r in reference.records]
    assert [r.content_hash for _, r in parsed.records] == [r.content_hash for _, r in reference.records]


@pytest.mark.parametrize("name", ["five.yaml", "five_wrapped.yaml", "five.json", "five.jsonl", "five.csv"])
def test_values_survive_quotes_commas_and_non_ascii(name: str) -> None:
    records = by_id(load(FORMATS / name))
    assert records["site-reliability-engineering-slos"].extra == {"partner_code": "GCP-SRE-101"}
    assert all(records[i].extra == {} for i in IDS if i != "site-reliability-engineering-slos")
    game = records["game-theory-1"]
    assert game.description.startswith('Popularized by movies such as "A Beautiful Mind," game theory')
    assert game.skills[-1] == "Mathematical Theory & Analysis" and len(game.skills) == 6
    assert (game.level, game.duration_hours, game.cost, game.currency) == ("beginner", 18.0, 0.0, "USD")
    sscp = records["sscp-training"]
    assert sscp.provider == "(ISC)²" and len(sscp.skills) == 20
    assert records["machine-learning-engineering-for-production-mlops"].duration_hours == 86.7


@pytest.mark.parametrize("name", ["five.yaml", "five_wrapped.yaml"])
def test_yaml_locations_are_the_line_where_each_record_starts(name: str) -> None:
    path = FORMATS / name
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed = load(path)
    for raw, record in parsed.records:
        match = re.fullmatch(r"line (\d+)", raw.location)
        assert match, raw.location
        assert lines[int(match.group(1)) - 1] == f"- id: {record.id}"
    assert parsed.records[0][0].location == ("line 1" if name == "five.yaml" else "line 2")


@pytest.mark.parametrize(
    ("name", "locations"),
    [("five.json", [f"record {n}" for n in range(1, 6)]), ("five.jsonl", [f"line {n}" for n in range(1, 6)]),
     ("five.csv", [f"line {n}" for n in range(2, 7)])],
)
def test_other_formats_locate_records(name: str, locations: list[str]) -> None:
    assert [raw.location for raw, _ in load(FORMATS / name).records] == locations


def test_the_same_ids_in_a_second_file_are_duplicates_naming_the_first() -> None:
    parsed = load(FORMATS / "five.yaml", FORMATS / "five.json")
    assert [record.id for _, record in parsed.records] == IDS
    assert [issue.record_id for issue in parsed.issues] == IDS
    first = str(parsed.issues[0])
    assert first.startswith(f"{FORMATS / 'five.json'} record 1 (id 'game-theory-1'): field 'id' duplicate id")
    assert f"first seen at {FORMATS / 'five.yaml'} line 1" in first


# ------------------------------------------------------------------------------ the bad files
BAD_FILES = [
    # file, records kept, location, id, field, words the reason must contain
    ("duplicate_ids.yaml", 2, "line 53", "building-ai-powered-chatbots", "id",
     ["duplicate id; first seen at", f"{BAD / 'duplicate_ids.yaml'} line 1"]),
    ("missing_title.jsonl", 2, "line 2", "excel-mysql", "title", ["required", "missing"]),
    ("wrong_type_skills.json", 2, "record 2", "excel-mysql", "skills", ["list of strings", "int"]),
    ("unknown_level.csv", 2, "line 3", "excel-mysql", "level", ["unknown level 'expert'"]),
    ("negative_cost.yaml", 1, "line 14", "excel-mysql", "cost", ["negative", "-49"]),
    ("bad_duration.yaml", 2, "line 14", "excel-mysql", "duration_hours", ["must be a number", "'lots'"]),
    ("long_field.jsonl", 1, "line 2", "excel-mysql", "title", ["5,000 characters", "limit is 500"]),
    ("not_utf8.csv", 0, "", None, None, ["not UTF-8", "0xe9", "line 3"]),
    ("empty.jsonl", 0, "", None, None, ["empty"]),
    ("bad_json.json", 0, "", None, None, ["not valid JSON", "line 22"]),
]


@pytest.mark.parametrize(("name", "kept", "location", "record_id", "field", "words"), BAD_FILES)
def test_each_bad_file_names_its_one_defect(
    name: str, kept: int, location: str, record_id: str | None, field: str | None, words: list[str]
) -> None:
    path = BAD / name
    parsed = load(path)
    assert len(parsed.records) == kept
    assert len(parsed.issues) == 1, texts(parsed)
    issue = parsed.issues[0]
    assert (issue.location, issue.record_id, issue.field) == (location, record_id, field)
    text = str(issue)
    assert text.startswith(f"{path} {location}".strip() + (f" (id '{record_id}')" if record_id else "") + ": ")
    if field:
        assert f"field '{field}'" in text
    for word in words:
        assert word in text


def test_mixed_file_keeps_the_valid_records_and_reports_the_rest() -> None:
    parsed = load(BAD / "mixed_valid_invalid.jsonl")
    assert [r.id for _, r in parsed.records] == ["building-ai-powered-chatbots", "real-world-product-management",
                                                  "computer-networking"]
    assert [(i.location, i.record_id, i.field) for i in parsed.issues] == [
        ("line 2", "excel-mysql", "provider"), ("line 4", "google-it-support", "level")]
    assert "'guru'" in str(parsed.issues[1])


def test_issue_text_reads_as_a_sentence() -> None:
    issue = LoadIssue("feed.csv", "line 3", "unknown level 'guru'", "x-1", "level")
    assert str(issue) == "feed.csv line 3 (id 'x-1'): field 'level' unknown level 'guru'"
    assert str(LoadIssue("feed.csv", "", "file is empty")) == "feed.csv: file is empty"


# ---------------------------------------------------------------------------- foreign CSVs
def test_udemy_map_loads_every_row() -> None:
    parsed = load(RAW / "udemy_courses_head.csv", fmap=FieldMap.parse(UDEMY_MAP, ["provider=Udemy"]))
    assert texts(parsed) == []
    assert len(parsed.records) == 20


def test_udemy_spot_row() -> None:
    parsed = load(RAW / "udemy_courses_head.csv", fmap=FieldMap.parse(UDEMY_MAP, ["provider=Udemy"]))
    row = by_id(parsed)["1070968"]
    assert (row.title, row.provider, row.cost, row.duration_hours) == (
        "Ultimate Investment Banking Course", "Udemy", 200.0, 1.5)
    assert row.level is None  # "All Levels"
    assert row.url == "https://www.udemy.com/ultimate-investment-banking-course/"
    assert row.extra["subject"] == "Business Finance"
    assert not {"course_id", "course_title", "price", "content_duration"} & set(row.extra)


@pytest.mark.parametrize(("course_id", "level"), [("739964", "beginner"), ("1006314", "intermediate"),
                                                  ("476268", "advanced")])
def test_udemy_levels_map_to_the_three_levels(course_id: str, level: str) -> None:
    parsed = load(RAW / "udemy_courses_head.csv", fmap=FieldMap.parse(UDEMY_MAP, ["provider=Udemy"]))
    assert course_id in by_id(parsed), texts(parsed)
    assert by_id(parsed)[course_id].level == level


def test_coursera_skills_map_loads_every_row() -> None:
    fmap = FieldMap.parse(["id=partner+course", "provider=partner", "title=course"])
    parsed = load(RAW / "coursera_partner_skills_head.csv", fmap=fmap)
    assert texts(parsed) == [] and len(parsed.records) == 20
    row = by_id(parsed)["google-foundations-of-business-intelligence"]
    assert (row.title, row.provider, row.level) == ("Foundations of Business Intelligence", "Google", "advanced")
    assert row.skills == ("Business Intelligence", "Leadership and Management")
    assert row.extra["rating"] == "4.8" and not {"partner", "course"} & set(row.extra)


DESCRIPTIONS_MAP = ["id=url", "provider=associated-university-institution-company"]
NETWORKING = "https://www.coursera.org/specializations/networking-google-cloud-platform"


def test_coursera_descriptions_map_loads_rows_and_reports_the_repeated_page() -> None:
    parsed = load(RAW / "coursera_partner_descriptions_head.csv", fmap=FieldMap.parse(DESCRIPTIONS_MAP))
    # Rows at lines 16 and 18 of the source are the same Coursera page, so 19 records and 1 issue.
    assert len(parsed.records) == 19
    assert sorted((i.location, i.field) for i in parsed.issues) == [("line 18", "id")]
    duplicate = next(i for i in parsed.issues if i.field == "id")
    assert "first seen at" in str(duplicate) and str(duplicate).endswith("line 16")
    row = by_id(parsed)[NETWORKING]
    assert (row.title, row.provider, row.level, row.language) == (
        "Networking in Google Cloud Specialization", "Google Cloud", "intermediate", "English")
    assert row.description.startswith("This specialization gives participants broad study")


def test_mapping_the_url_column_to_id_keeps_the_url() -> None:
    parsed = load(RAW / "coursera_partner_descriptions_head.csv", fmap=FieldMap.parse(DESCRIPTIONS_MAP))
    assert by_id(parsed)[NETWORKING].url == NETWORKING


@pytest.mark.parametrize(("maps", "column"), [(["title=course_name"], "course_name"),
                                              (["id=partner+course_code"], "course_code")])
def test_map_naming_a_missing_column_is_a_file_issue(maps: list[str], column: str) -> None:
    path = RAW / "coursera_partner_skills_head.csv"
    parsed = load(path, fmap=FieldMap.parse(maps))
    assert parsed.records == []
    assert len(parsed.issues) == 1 and parsed.issues[0].location == ""
    assert str(parsed.issues[0]).startswith(f"{path}: ")
    assert f"'{column}'" in str(parsed.issues[0]) and "partner, course, skills" in str(parsed.issues[0])


@pytest.mark.parametrize(("maps", "defaults"), [(["title"], []), (["title="], []), (["=course"], []),
                                                ([], ["provider"]), ([], ["provider="])])
def test_malformed_map_is_a_value_error(maps: list[str], defaults: list[str]) -> None:
    with pytest.raises(ValueError, match="FIELD=VALUE"):
        FieldMap.parse(maps, defaults)


# ------------------------------------------------------------------------ files written here
def test_unsupported_suffix_and_missing_file_are_issues(tmp_path: Path) -> None:
    notes = tmp_path / "catalogue.txt"
    notes.write_text("id,title,provider\n", encoding="utf-8")
    parsed = load(notes, tmp_path / "missing.yaml")
    assert parsed.records == []
    assert texts(parsed)[0].startswith(f"{notes}: unsupported file type '.txt'")
    assert ".yaml" in texts(parsed)[0] and ".csv" in texts(parsed)[0]
    assert texts(parsed)[1] == f"{tmp_path / 'missing.yaml'}: file not found"


def test_csv_row_with_too_many_values_is_an_issue_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text('id,title,provider,level\na,"Two\nline title",P,beginner\nb,B,P,beginner,oops\n'
                    "c,C,P,guru\n", encoding="utf-8")
    parsed = load(path)
    assert [r.id for _, r in parsed.records] == ["a"]
    assert texts(parsed) == [f"{path} line 4: has 5 values but the header has 4",
                             f"{path} line 5 (id 'c'): field 'level' unknown level 'guru' (expected beginner, "
                             "intermediate or advanced)"]


def test_other_damaged_files(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfid,title,provider\nx,T,P\n")
    lines = tmp_path / "feed.jsonl"
    lines.write_text('{"id": "a", "title": "A", "provider": "P"}\n{"id": "b", nope}\n\n'
                     '{"id": "c", "title": "C", "provider": "P"}\n', encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: x\n  title: T\n  provider: [unclosed\n", encoding="utf-8")
    parsed = load(bom, lines, broken)
    assert [r.id for _, r in parsed.records] == ["x", "a", "c"]
    assert texts(parsed)[0].startswith(f"{lines} line 2: is not valid JSON")
    assert texts(parsed)[1].startswith(f"{broken}: is not valid YAML at line ")


def test_nested_extra_fields_are_the_same_in_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- id: x\n  title: T\n  provider: P\n  meta:\n    region: emea\n",
                                     encoding="utf-8")
    (tmp_path / "a.json").write_text('[{"id": "x", "title": "T", "provider": "P", "meta": {"region": "emea"}}]',
                                     encoding="utf-8")
    from_yaml, from_json = load(tmp_path / "a.yaml").records[0][1], load(tmp_path / "a.json").records[0][1]
    assert from_yaml.extra == {"meta": {"region": "emea"}}
    assert from_yaml.content_hash == from_json.content_hash
