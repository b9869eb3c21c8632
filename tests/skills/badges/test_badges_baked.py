"""Baked badges: PNG iTXt (plain and compressed, OB 2.0 and 3.0 keywords) and SVG elements."""

from __future__ import annotations

import json

import pytest

from skills.badges.baked import from_png, from_svg
from skills.badges.fetch import Fetcher
from skills.badges.result import CheckFailed
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import credential, png_with, sign_di, svg_with

OFFLINE = Fetcher(offline=True)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("keyword", ["openbadgecredential", "openbadges"])
def test_png_itxt_is_extracted(keyword: str, compressed: bool) -> None:
    assert from_png(png_with('{"a": 1}', keyword, compressed)) == '{"a": 1}'


def test_png_without_a_badge_is_refused() -> None:
    with pytest.raises(CheckFailed, match="no baked badge"):
        from_png(png_with("{}", keyword="Comment"))


def test_svg_assertion_with_verify_attribute_gives_the_url() -> None:
    svg = '<svg><openbadges:assertion verify="https://example.org/a.json"></openbadges:assertion></svg>'
    assert from_svg(svg) == "https://example.org/a.json"


def test_svg_credential_in_cdata() -> None:
    assert from_svg(svg_with('{"a": 1}').decode()) == '{"a": 1}'


@pytest.mark.parametrize("bake", [png_with, svg_with])
def test_a_baked_ob3_credential_verifies(bake: object) -> None:
    signed = json.dumps(sign_di(credential()))
    result = verify_badge(bake(signed), fetcher=OFFLINE)  # type: ignore[operator]
    assert result.valid, result.errors
    assert result.achievement == "Python for Everybody"


def test_a_tampered_baked_credential_fails_the_proof() -> None:
    signed = sign_di(credential())
    signed["credentialSubject"]["achievement"]["name"] = "Python for Everybodx"
    assert verify_badge(png_with(json.dumps(signed)), fetcher=OFFLINE).failed == "proof"
