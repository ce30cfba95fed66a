"""Fixtures for the Excel sink tests: every produced workbook is checked; the fidelity template."""

from __future__ import annotations

from pathlib import Path

import pytest

import fidelity_template
from excel_helpers import read_everything
from xlsx_checker import assert_sound


@pytest.fixture(autouse=True)
def verify_produced_workbooks(tmp_path: Path):
    """After each test, every workbook left in its folder passes the checker and both readers."""
    yield
    for path in sorted(tmp_path.rglob("*.xls[xm]")):
        if path.name.startswith("broken") or path.name.startswith("."):
            continue   # deliberately damaged copies (test_excel_checker) and temp names
        assert_sound(path)
        read_everything(path)


@pytest.fixture(scope="session")
def fidelity_xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fidelity template as a macro-enabled workbook with a VBA part and a calcChain."""
    return fidelity_template.build(tmp_path_factory.mktemp("templates") / "fidelity.xlsm", vba=True)
