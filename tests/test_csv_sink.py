"""Tests of the CSV sink: encoding, nulls, formula escaping and atomic replacement."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from sheets_sync.errors import SinkError
from sheets_sync.report import Column, ColumnKind, Table, TableMeta
from sheets_sync.sinks.csv_sink import csv_value, write_csv


def _table(rows: list[tuple]) -> Table:
    columns = [Column("name", "Name"), Column("metrics.impressions", "Impressions", ColumnKind.INTEGER),
               Column("metrics.engagementRate", "Engagement Rate", ColumnKind.PERCENT),
               Column("startDate", "Week Start", ColumnKind.DATE)]
    return Table(columns=columns, rows=rows, meta=TableMeta(report="r", endpoint="campaigns/performance"))


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_header_row_then_values_with_null_as_empty_field(tmp_path: Path) -> None:
    """The header comes first; None is an empty field, 0 stays 0, 12.5 stays 12.5, dates are ISO."""
    result = write_csv(tmp_path / "out.csv", _table([("Été ☀", 0, 12.5, dt.date(2026, 1, 5)),
                                                     ("b", None, None, None)]))
    assert _read(result.path) == [["Name", "Impressions", "Engagement Rate", "Week Start"],
                                  ["Été ☀", "0", "12.5", "2026-01-05"], ["b", "", "", ""]]
    assert result.rows == 2
    assert result.bytes_written == result.path.stat().st_size


def test_text_is_verbatim_without_escape_formulas(tmp_path: Path) -> None:
    """Without escape_formulas, text that looks like a formula is written exactly as the API sent it."""
    result = write_csv(tmp_path / "out.csv", _table([("=HYPERLINK(\"x\")", 1, 1.0, None)]))
    assert _read(result.path)[1][0] == "=HYPERLINK(\"x\")"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_escape_formulas_prefixes_a_quote_to_formula_like_text(text: str) -> None:
    """With escape_formulas, text starting with = + - @ tab or CR gets a leading apostrophe."""
    assert csv_value(text, escape_formulas=True) == "'" + text


def test_escape_formulas_leaves_numbers_and_plain_text_alone() -> None:
    """Escaping applies to text only: negative numbers stay numbers and ordinary text is unchanged."""
    assert csv_value(-5, escape_formulas=True) == "-5"
    assert csv_value("plain", escape_formulas=True) == "plain"


def test_failed_write_leaves_previous_file_and_no_temp_file(tmp_path: Path) -> None:
    """A row that cannot be produced aborts the write; the old file stays and no temp file is left."""
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def rows():
        yield ("a", 1, 1.0, None)
        raise RuntimeError("stream broke")

    with pytest.raises(RuntimeError):
        write_csv(target, _table(rows()), lock_dir=tmp_path / "locks")  # type: ignore[arg-type]  # a one-shot row stream
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.csv"]


def test_unwritable_folder_is_a_sink_error(tmp_path: Path) -> None:
    """A path under a regular file cannot be created: one SinkError naming the path."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(SinkError, match="cannot write CSV"):
        write_csv(tmp_path / "file" / "out.csv", _table([]))
