"""credentialSchema: JSON Schema validation against the shipped schemas; the path and reason of a violation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skills.badges.credential_schema import check_credential_schema, schema_index, schema_problems, shipped_schema
from skills.badges.fetch import Fetcher
from skills.badges.result import CheckFailed, Verification
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import DATA, VCS, credential, endorsement, sign_di

OFFLINE = Fetcher(offline=True)
OB = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
ACHIEVEMENT = OB + "ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT = OB + "ob_v3p0_endorsementcredential_schema.json"
EXAMPLES = Path(__file__).parent / "data"  # 1EdTech's published OB 3.0 examples (unsigned)
WITH_SCHEMA = [
    ("v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-notExpired-withSchema.json", ACHIEVEMENT),
    ("v2/bothSignatureTypes/didkey/legacy-noStatus-notExpired-endorsement-withSchema.json", ENDORSEMENT),
]


def declaring(schema_id: str = ACHIEVEMENT, schema_type: str = "1EdTechJsonSchemaValidator2019",
              **changes: Any) -> dict[str, Any]:
    """A credential naming `schema_id` in credentialSchema."""
    document = credential(**changes)
    document["credentialSchema"] = [{"id": schema_id, "type": schema_type}]
    return document


def verify(document: dict[str, Any]) -> Verification:
    return verify_badge(json.dumps(document), fetcher=OFFLINE)


def detail(result: Verification, name: str = "credential_schema") -> str:
    return next(c.detail for c in result.checks if c.name == name)


@pytest.mark.parametrize(("path", "schema_id"), WITH_SCHEMA)
def test_fixtures_that_declare_the_official_schema_validate(path: str, schema_id: str) -> None:
    result = verify_badge((VCS / path).read_bytes(), fetcher=OFFLINE)
    assert result.valid, result.errors
    assert detail(result) == f"validated against {schema_id}"


def test_a_credential_without_credential_schema_says_none_declared() -> None:
    result = verify(sign_di(credential()))
    assert result.valid and detail(result) == "none declared"


def test_a_signed_credential_here_validates() -> None:
    result = verify(sign_di(declaring()))
    assert result.valid, result.errors
    assert detail(result) == f"validated against {ACHIEVEMENT}"


def test_missing_criteria_fails_only_the_schema_check_with_its_path() -> None:
    document = declaring()
    del document["credentialSubject"]["achievement"]["criteria"]
    result = verify(sign_di(document))
    assert [c.name for c in result.checks if not c.ok] == ["credential_schema"]
    assert "credentialSubject.achievement.criteria: required property missing" in detail(result)
    assert "ob_v3p0_achievementcredential_schema.json" in detail(result)
    assert detail(result, "proof") == "eddsa-rdfc-2022"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["credentialSubject"]["achievement"].update(name=42),
         "credentialSubject.achievement.name: must be a string"),
        (lambda d: d["credentialSubject"]["achievement"].pop("description"),
         "credentialSubject.achievement.description: required property missing"),
        (lambda d: d.pop("validFrom"), "validFrom: required property missing"),
        (lambda d: d.update(validFrom="2024-01-01"), "validFrom: must be a date-time with its time zone"),
        (lambda d: d["issuer"].pop("type"), "issuer.type: required property missing"),
    ],
)
def test_each_violation_names_its_path_and_reason(change: Any, expected: str) -> None:
    document = declaring()
    change(document)
    result = verify(sign_di(document))
    assert result.failed == "credential_schema", result.errors
    assert expected in detail(result)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["credentialSubject"].update(type=["Person"]),
         'credentialSubject.type: must include "AchievementSubject"'),
        (lambda d: d["@context"].pop(), "@context: must have at least 2 items"),
        (lambda d: d["@context"].__setitem__(1, "https://example.com/ctx.json"),
         "@context[1]: must be the Open Badges 3.0 context"),
        (lambda d: d.update(type=["VerifiableCredential"]), 'type: must include "AchievementCredential" or'),
        (lambda d: d.update(issuer=["did:example:1"]), "issuer: must be a string or an object"),
    ],
)
def test_violations_the_context_check_would_catch_first_are_described_too(change: Any, expected: str) -> None:
    document = declaring()
    change(document)
    with pytest.raises(CheckFailed, match=r"against ob_v3p0_achievementcredential_schema\.json") as failed:
        check_credential_schema(document)
    assert expected in failed.value.detail


def test_a_vc_1_1_credential_needs_issuance_date_and_a_name() -> None:
    document = declaring()
    document["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    del document["name"]
    problems = schema_problems(document, "ob_v3p0_achievementcredential.json")
    assert problems == ["issuanceDate: required property missing", "name: required property missing"]
    document.update(issuanceDate="2024-01-01T00:00:00Z", name="Python for Everybody")
    assert schema_problems(document, "ob_v3p0_achievementcredential.json") == []


def test_an_unshipped_schema_is_not_checked_and_not_fetched() -> None:
    custom = "https://issuer.example/schemas/badge.json"
    result = verify(sign_di(declaring(custom)))
    assert result.valid, result.errors
    assert detail(result) == f"not checked: {custom} is not shipped (schemas are never fetched)"


def test_official_and_custom_schemas_together() -> None:
    document = declaring()
    custom = {"id": "https://issuer.example/s.json", "type": "1EdTechJsonSchemaValidator2019"}
    document["credentialSchema"].append(custom)
    result = verify(sign_di(document))
    assert result.valid
    assert detail(result) == (f"validated against {ACHIEVEMENT}; "
                              "not checked: https://issuer.example/s.json is not shipped (schemas are never fetched)")


def test_the_vc_2_json_schema_type_is_validated_and_other_types_are_not() -> None:
    assert check_credential_schema(declaring(schema_type="JsonSchema")) == f"validated against {ACHIEVEMENT}"
    assert check_credential_schema(declaring(schema_type="JsonSchemaCredential")) == (
        f"not checked: {ACHIEVEMENT} is a JsonSchemaCredential schema, which Badger does not validate")


def test_a_version_suffix_finds_the_same_schema() -> None:
    assert shipped_schema(ACHIEVEMENT.replace(".json", "-3.0.3.json")) == shipped_schema(ACHIEVEMENT)
    assert shipped_schema("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/unknown_schema.json") is None


def test_a_malformed_credential_schema_entry_fails() -> None:
    document = credential()
    document["credentialSchema"] = {"id": ACHIEVEMENT}
    with pytest.raises(CheckFailed, match="needs an id and a type"):
        check_credential_schema(document)


def test_every_index_entry_names_a_shipped_file() -> None:
    for url, file_name in schema_index().items():
        assert url.startswith("https://purl.imsglobal.org/spec/ob/v3p0/schema/")
        assert schema_problems({}, file_name)  # loads, and an empty object violates it


@pytest.mark.parametrize("name", ["fullOpenBadge__Complete_OpenBadgeCredential.json",
                                  "endorsement__Sample_EndorsementCredential.json"])
def test_the_1edtech_examples_conform_to_the_shipped_schemas(name: str) -> None:
    document = json.loads((EXAMPLES / name).read_text())
    summary = check_credential_schema(document)
    assert summary.startswith("validated against " + OB), summary
    assert "; not checked: https://" in summary or "endorsement" not in name  # the endorser's own schema


def test_the_embedded_1edtech_endorsements_conform_too() -> None:
    document = json.loads((EXAMPLES / "fullOpenBadge__Complete_OpenBadgeCredential.json").read_text())
    embedded = [*document["endorsement"], *document["issuer"]["endorsement"],
                *document["credentialSubject"]["achievement"]["endorsement"]]
    assert embedded and all(check_credential_schema(e).startswith("validated against " + ENDORSEMENT) for e in embedded)


def test_the_signed_1edtech_vectors_conform_even_without_declaring() -> None:
    for name in ("ob_v3p0_linked-data-proof-ob__Signed_credential.json",
                 "basicOpenBadgeCredential__Sample_OpenBadgeCredential.json"):
        document = json.loads((DATA / "ob3" / name).read_text())
        assert schema_problems(document, "ob_v3p0_achievementcredential.json") == [], name


def test_an_endorsement_signed_here_conforms() -> None:
    document = endorsement(subject_id="https://example.edu/issuers/1")
    document["credentialSchema"] = [{"id": ENDORSEMENT, "type": "1EdTechJsonSchemaValidator2019"}]
    assert check_credential_schema(document) == f"validated against {ENDORSEMENT}"
    del document["name"]
    with pytest.raises(CheckFailed, match="name: required property missing"):
        check_credential_schema(document)
