"""Skill names from catalogues, taxonomies and people meet on one key."""

from __future__ import annotations

import pytest

from skills.normalise import normalise_role, normalise_skill


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Python programming", "python"),
        ("Python (computer programming)", "  PYTHON "),
        ("Machine-Learning", "ML"),
        ("Data Analytics", "data analysis"),
        ("Kubernetes", "k8s"),
        ("Probability & Statistics", "probability and statistics"),
        ("SQL.", "Structured Query Language"),
    ],
)
def test_variants_meet(a: str, b: str) -> None:
    assert normalise_skill(a) == normalise_skill(b)


@pytest.mark.parametrize(
    ("a", "b"), [("C++", "C"), ("C#", "C"), ("Java", "JavaScript"), ("statistics", "python")]
)
def test_different_skills_stay_apart(a: str, b: str) -> None:
    assert normalise_skill(a) != normalise_skill(b)


def test_roles_fold_case_and_spacing() -> None:
    assert normalise_role("  Software   engineer") == normalise_role("Software Engineer")
