"""Values land in cells with the right type: numbers, dates, booleans, empty cells and literal text."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.errors import SinkError
from sheets_sync.report import Column, ColumnKind
from sheets_sync.sinks.excel import spool as spool_module
from sheets_sync.sinks.excel import write_workbook
from sheets_sync.sinks.excel.cells import MAX_TEXT_CHARS, DataSlot, RowEncoder, TextStats, clean_text, excel_serial
from sheets_sync.sinks.excel.spool import RowSpool, spool_rows

from excel_helpers import DEMO_TEMPLATE, NOW, assert_data, calamine_rows, make_tab
from xlsx_checker import assert_sound

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
K = ColumnKind
MIXED = [("Name", K.TEXT), ("Count", K.INTEGER), ("Rate", K.PERCENT), ("Day", K.DATE),
         ("When", K.DATETIME), ("Ok", K.BOOLEAN)]
INJECTION = ["=1+1", "+44 20 7946 0000", "-5 stars", "@SUM(A1)", "=2+5+cmd|' /C calc'!A0", "#DIV/0!",
             "\t=tabbed", "\r=cr first", "'quoted"]


def _write(tmp_path: Path, rows, columns=MIXED, template: Path | None = None, sheet="Data"):
    return write_workbook(tmp_path / "out.xlsx", [make_tab(sheet, columns, rows)], template=template, now=NOW)


class TestTypes:
    def test_numbers_dates_and_booleans_keep_their_types(self, tmp_path: Path) -> None:
        """Ints, floats, dates, datetimes and booleans read back as the same values in both readers."""
        rows = [["a", 1, 12.5, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4, 5), True],
                ["b", 1234567890123, 0.1, dt.date(1999, 12, 31), dt.datetime(2026, 12, 31, 23, 59, 59), False]]
        result = _write(tmp_path, rows)
        assert_sound(result.path)
        assert_data(result.path, "Data", rows)

    def test_null_is_an_empty_cell_and_zero_is_zero(self, tmp_path: Path) -> None:
        """None leaves the cell empty while 0 and 0.0 are written as numbers."""
        result = _write(tmp_path, [[None, 0, 0.0, None, None, None]])
        wb = openpyxl.load_workbook(result.path)
        ws = wb["Data"]
        assert ws["A2"].value is None and ws["D2"].value is None
        assert ws["B2"].value == 0 and ws["B2"].data_type == "n"
        assert ws["C2"].value == 0 and ws["C2"].data_type == "n"

    def test_dates_get_the_columns_number_format(self, tmp_path: Path) -> None:
        """Date and datetime cells carry date formats, so Excel shows dates, not serial numbers."""
        result = _write(tmp_path, [["a", 1, 1.0, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4), True]])
        ws = openpyxl.load_workbook(result.path)["Data"]
        assert ws["D2"].number_format == "yyyy-mm-dd"
        assert ws["E2"].number_format == "yyyy-mm-dd hh:mm"
        assert ws["B2"].number_format == "#,##0"

    def test_excel_serial_matches_excels_epoch(self) -> None:
        """1900-03-01 is serial 61 and noon adds half a day (Excel's 1900 date system)."""
        assert excel_serial(dt.date(1900, 3, 1)) == 61
        assert excel_serial(dt.datetime(2026, 1, 1, 12)) == 46023.5

    def test_non_finite_floats_become_empty_cells_with_a_warning(self, tmp_path: Path) -> None:
        """NaN and infinity cannot be stored in a cell, so they are left empty and reported."""
        result = _write(tmp_path, [["a", None, float("nan"), None, None, None],
                                   ["b", None, float("inf"), None, None, None]])
        assert calamine_rows(result.path, "Data")[1][2] == ""
        assert any("NaN" in w for w in result.warnings)


class TestLongNumbers:
    """Numbers Excel cannot hold digit for digit are written as literal text (docs/excel-templates.md#values)."""

    ID_COLUMNS = [Column("campaignId", "campaignId", K.INTEGER, "0", identifier=True),
                  Column("metrics.reach", "reach", K.INTEGER)]
    ROWS = [[9007199254740999, 9007199254740999],      # beyond 2**53: text in any column
            [1234567890123456, 1234567890123456],      # 16 digits: text as an identifier, a number otherwise
            [-9007199254740999, 49761]]

    def _check(self, result) -> None:
        assert_sound(result.path)
        assert_data(result.path, "Data", [["9007199254740999", "9007199254740999"],
                                          ["1234567890123456", 1234567890123456],
                                          ["-9007199254740999", 49761]])
        ws = openpyxl.load_workbook(result.path)["Data"]
        assert ws["A2"].data_type == "s" and ws["B3"].data_type == "n" and ws["B4"].data_type == "n"
        notes = [w for w in result.warnings if "written as text to keep all digits" in w]
        assert notes == ["sheet 'Data': 4 number(s) with more than 15 significant digits written as text "
                         "to keep all digits"]

    def test_plain_workbook_keeps_every_digit_of_long_numbers(self, tmp_path: Path) -> None:
        """campaignId 9007199254740999 reads back as all its digits (text) in both readers, with one warning."""
        self._check(_write(tmp_path, self.ROWS, columns=self.ID_COLUMNS))

    def test_template_fill_keeps_every_digit_of_long_numbers(self, tmp_path: Path) -> None:
        """A template fill writes long numbers as text too, with one warning for the tab."""
        import xlsxwriter
        tpl = tmp_path / "t.xlsx"
        wb = xlsxwriter.Workbook(str(tpl))
        wb.add_worksheet("Data").add_table(0, 0, 2, 1, {"name": "tblData",
                                                        "columns": [{"header": "campaignId"}, {"header": "reach"}]})
        wb.close()
        self._check(_write(tmp_path, self.ROWS, columns=self.ID_COLUMNS, template=tpl))

    def test_numbers_excel_holds_exactly_stay_numbers(self, tmp_path: Path) -> None:
        """2**53 (not an identifier), 15-digit identifiers, 10**15 and ordinary floats stay numbers, no warning."""
        rows = [[10**15, 2**53], [999999999999999, 0.1], [10**15 * 1.0, 1.5]]
        result = _write(tmp_path, rows, columns=self.ID_COLUMNS)
        ws = openpyxl.load_workbook(result.path)["Data"]
        assert all(ws.cell(r, c).data_type == "n" for r in (2, 3, 4) for c in (1, 2))
        assert_data(result.path, "Data", rows)
        assert not [w for w in result.warnings if "as text" in w]

    def test_long_float_identifiers_are_written_as_their_digits(self) -> None:
        """A float identifier with 16+ significant digits becomes text of its integer digits, counted once."""
        encoder = RowEncoder([DataSlot("A", 0, None, None, identifier=True), DataSlot("B", 1, None, None)])
        xml = encoder.encode(2, [1.2345678901234568e16, 1.2345678901234568e16])
        assert '<c r="A2" t="inlineStr"><is><t>12345678901234568</t></is></c>' in xml
        assert '<c r="B2"><v>1.2345678901234568e+16</v></c>' in xml
        assert encoder.stats.as_text == 1


class TestText:
    @pytest.mark.parametrize("template", [None, DEMO_TEMPLATE], ids=["plain", "template"])
    def test_text_that_looks_like_a_formula_stays_literal_text(self, tmp_path: Path, template: Path | None) -> None:
        """Strings starting with = + - @ (and error-code lookalikes) are written as text, never as formulas."""
        if template is None:
            rows = [[text, None, None, None, None, None] for text in INJECTION]
            result = _write(tmp_path, rows)
            sheet, col = "Data", "A"
        else:
            rows = [[i, text, "Active", 1, 1, 1, 1.0, 1.0, 1.0] for i, text in enumerate(INJECTION)]
            result = write_workbook(tmp_path / "out.xlsx", [make_tab("Campaigns", [
                ("Campaign ID", K.INTEGER), ("Campaign", K.TEXT), ("Status", K.TEXT), ("Posts", K.INTEGER),
                ("Impressions", K.INTEGER), ("Engagements", K.INTEGER), ("Engagement Rate", K.PERCENT),
                ("Est. Value", K.DECIMAL), ("Est. ROI", K.DECIMAL)], rows)], template=template, now=NOW)
            sheet, col = "Campaigns", "B"
        assert_sound(result.path)
        ws = openpyxl.load_workbook(result.path)[sheet]
        for i, text in enumerate(INJECTION, start=2):
            cell = ws[f"{col}{i}"]
            assert cell.value == text and cell.data_type == "s", text
            assert cell.quotePrefix == (text[0] in "=+-@"), text
        with zipfile.ZipFile(result.path) as zf:
            names = {"Data": "xl/worksheets/sheet1.xml", "Campaigns": "xl/worksheets/sheet2.xml"}
            xml = zf.read(names[sheet]).decode()
        assert "<f>1+1</f>" not in xml and "<f>2+5" not in xml

    def test_control_characters_are_removed_with_one_warning_per_tab(self, tmp_path: Path) -> None:
        """Characters XML cannot carry are dropped from the text and one warning names the tab."""
        rows = [["bell\x07 here", None, None, None, None, None], ["nul\x00", None, None, None, None, None],
                ["lone \ud800 surrogate", None, None, None, None, None]]
        result = _write(tmp_path, rows)
        assert_sound(result.path)
        assert [r[0] for r in calamine_rows(result.path, "Data")[1:]] == ["bell here", "nul", "lone  surrogate"]
        assert len([w for w in result.warnings if "removed characters" in w]) == 1
        assert "'Data'" in result.warnings[0] and "3 cell(s)" in result.warnings[0]

    def test_text_over_the_cell_limit_is_truncated_with_a_warning(self, tmp_path: Path) -> None:
        """Text longer than 32,767 characters is cut to the limit and reported once per tab."""
        long = "x" * (MAX_TEXT_CHARS + 10)
        result = _write(tmp_path, [[long, None, None, None, None, None], [long, None, None, None, None, None]])
        assert len(calamine_rows(result.path, "Data")[1][0]) == MAX_TEXT_CHARS
        assert [w for w in result.warnings if "truncated 2 cell(s)" in w]

    def test_whitespace_newlines_and_markup_survive(self, tmp_path: Path) -> None:
        """Leading/trailing blanks, tabs, CR/LF and XML metacharacters come back exactly."""
        texts = ["  padded  ", "line1\nline2", "cr\r\nlf", "R&D <b>bold</b> \"q\" 'a'", "tab\tinside", "ünï©ødé ✓"]
        result = _write(tmp_path, [[t, None, None, None, None, None] for t in texts])
        assert_data(result.path, "Data", [[t] for t in texts])


class TestLimits:
    def test_more_rows_than_a_sheet_holds_is_a_clear_error(self, tmp_path: Path) -> None:
        """Row 1,048,577 raises SinkError naming the limit, and no file is left behind."""
        encoder = RowEncoder([DataSlot("A", 0, None, None)])
        spool = RowSpool(tmp_path)
        try:
            with pytest.raises(SinkError, match="1,048,576"):
                spool_rows(encoder, ([i] for i in range(20)), 1_048_570, spool, "Data")
        finally:
            spool.close()

    def test_too_many_rows_leaves_the_previous_workbook(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """When the row limit trips mid-write the earlier workbook stays as it was."""
        monkeypatch.setattr(spool_module, "MAX_SHEET_ROWS", 50)
        first = _write(tmp_path, [["old", 1, 1.0, None, None, None]])
        before = first.path.read_bytes()
        with pytest.raises(SinkError, match="data rows"):
            _write(tmp_path, [["new", i, 1.0, None, None, None] for i in range(100)])
        assert first.path.read_bytes() == before
        assert not list(tmp_path.glob(".out.xlsx.*.tmp"))

    def test_column_number_format_from_config_wins(self, tmp_path: Path) -> None:
        """An explicit Column.number_format is applied instead of the kind's default."""
        result = _write(tmp_path, [[1.23456]], columns=[Column("x", "X", K.DECIMAL, number_format="0.000")])
        assert openpyxl.load_workbook(result.path)["Data"]["A2"].number_format == "0.000"


class TestTextProperty:
    @settings(max_examples=300, deadline=None)
    @given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=()), max_size=60)
           | st.text(alphabet="=+-@&<>\"' \t\r\n\x00\x01\x1f\ufffe", max_size=20))
    def test_any_text_becomes_well_formed_literal_text(self, text: str) -> None:
        """Whatever the text, the cell parses as XML, holds no formula and reads back as the cleaned text."""
        stats = TextStats()
        xml = RowEncoder([DataSlot("A", 0, 3, 4)]).encode(7, [text])
        row = ET.fromstring(xml)
        cells = list(row)
        expected = clean_text(text, stats)
        if not expected:
            assert cells == [] or cells[0].find("is") is None
            return
        (cell,) = cells
        assert cell.find("f") is None and cell.get("t") == "inlineStr"
        assert "".join(cell.find("is").itertext()) == expected
        assert cell.get("s") == ("4" if expected[0] in "=+-@" else "3")
