"""The suite's isolation from the developer's environment (tests/conftest.py clears every setting)."""

from __future__ import annotations

import os
import subprocess
import sys

from core.settings import Settings
from tests.conftest import setting_variables


def test_no_setting_reaches_the_tests_from_the_environment() -> None:
    leaked = sorted(name for name in setting_variables() if name in os.environ)
    assert leaked == []
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    for name, field in Settings.model_fields.items():
        assert getattr(s, name) == field.get_default(call_default_factory=True), name


def test_subprocesses_inherit_the_cleared_environment() -> None:
    code = "import os, sys; print(os.environ.get('DATABASE_URL', ''), os.environ.get('OPENAI_API_KEY', ''))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
