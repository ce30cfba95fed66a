"""The structural checker itself: it passes sound workbooks and catches each mistake a filler can make."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from sheets_sync.report import ColumnKind
from sheets_sync.sinks.excel import write_workbook

from excel_helpers import NOW, make_tab
from xlsx_checker import check_workbook

SHEET, TABLE, RELS = "xl/worksheets/sheet1.xml", "xl/tables/table1.xml", "xl/worksheets/_rels/sheet1.xml.rels"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small filled template with a table, shared strings and styles."""
    import xlsxwriter
    folder = tmp_path_factory.mktemp("checker")
    wb = xlsxwriter.Workbook(str(folder / "t.xlsx"))
    ws = wb.add_worksheet("Data")
    ws.add_table(0, 0, 2, 1, {"name": "tblData", "columns": [{"header": "Name"}, {"header": "Posts"}],
                              "data": [["a", 1], ["b", 2]]})
    wb.close()
    tab = make_tab("Data", [("Name", ColumnKind.TEXT), ("Posts", ColumnKind.INTEGER)], [["x", 1], ["y", 2], ["z", 3]])
    return write_workbook(folder / "good.xlsx", [tab], template=folder / "t.xlsx", now=NOW).path


def _broken(good: Path, tmp_path: Path, part: str, edit: Callable[[str], str]) -> Path:
    out = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == part:
                edited = edit(data.decode())
                assert edited != data.decode(), "the edit did not apply"
                data = edited.encode()
            zout.writestr(name, data)
    return out


def test_a_sound_workbook_has_no_problems(good: Path) -> None:
    """The filled workbook passes every check."""
    assert check_workbook(good) == []


@pytest.mark.parametrize(("part", "edit", "expected"), [
    (SHEET, lambda x: x.replace("<c r=\"B3\"", "<c r=\"B3\" s=\"999\"", 1), "style 999"),
    (SHEET, lambda x: x.replace('<c r="A1" t="s"><v>0</v>', '<c r="A1" t="s"><v>999</v>', 1), "shared string index"),
    (SHEET, lambda x: re.sub(r'<row r="3"', '<row r="1"', x, count=1), "row 1 after row 2"),
    (SHEET, lambda x: x.replace('<c r="A3"', '<c r="C3"', 1), "out of order"),
    (SHEET, lambda x: x.replace('<dimension ref="A1:B4"/>', '<dimension ref="A1:B2"/>'), "does not cover"),
    (SHEET, lambda x: x.replace("<is><t>x</t></is>", "<f>1+1</f><is><t>x</t></is>"), "carries a formula"),
    (SHEET, lambda x: x.replace("<is><t>x</t></is>", "<is><t>R&D</t></is>"), "not well-formed"),
    (TABLE, lambda x: x.replace('<autoFilter ref="A1:B4"/>', '<autoFilter ref="A1:B3"/>'), "autoFilter ref A1:B3"),
    (TABLE, lambda x: x.replace('name="Posts"', 'name="Reach"'), "column is 'Reach'"),
    (RELS, lambda x: x.replace("table1.xml", "table9.xml"), "missing part xl/tables/table9.xml"),
])
def test_each_mistake_is_caught(good: Path, tmp_path: Path, part: str, edit: Callable[[str], str],
                                expected: str) -> None:
    """A deliberately broken copy of a sound workbook yields a problem naming the mistake."""
    broken = _broken(good, tmp_path, part, edit)
    problems = check_workbook(broken)
    assert any(expected in p for p in problems), problems
