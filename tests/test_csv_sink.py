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


BOM = b"\xef\xbb\xbf"


def test_bom_starts_the_file_once_and_keeps_every_character(tmp_path: Path) -> None:
    """bom=True: the file starts with one UTF-8 byte-order mark; emoji and right-to-left text read back intact."""
    rows = [("مرحبا 🌍", 1, 0.5, None), ("שלום ✨ 👩🏽‍💻", 2, None, dt.date(2026, 1, 5))]
    with_bom = write_csv(tmp_path / "bom.csv", _table(rows), bom=True)
    plain = write_csv(tmp_path / "plain.csv", _table(rows))
    data = with_bom.path.read_bytes()
    assert data.startswith(BOM) and not data[len(BOM):].startswith(BOM)
    assert data[len(BOM):] == plain.path.read_bytes()
    with with_bom.path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1:] == [["مرحبا 🌍", "1", "0.5", ""],
                                                ["שלום ✨ 👩🏽‍💻", "2", "", "2026-01-05"]]


def test_no_bom_by_default_in_the_writer(tmp_path: Path) -> None:
    """write_csv without bom writes plain UTF-8 (what pipelines expect): the first bytes are the header."""
    result = write_csv(tmp_path / "out.csv", _table([]))
    assert result.path.read_bytes().startswith(b"Name,")


@pytest.mark.parametrize(("options", "expected"), [
    ("", False), ("escape_formulas: true", True), ("escape_formulas: true, bom: false", False),
    ("bom: true", True), ("escape_formulas: false, bom: true", True),
])
def test_bom_follows_escape_formulas_unless_set(tmp_path: Path, options: str, expected: bool) -> None:
    """A csv destination's bom defaults to its escape_formulas (files for spreadsheet users); bom: overrides."""
    from sheets_sync.config import load_config

    config = tmp_path / "c.yaml"
    config.write_text(f"""\
api: {{client_id: x, client_secret: "${{S}}"}}
destinations:
  flat: {{type: csv, output: out/x.csv{", " + options if options else ""}}}
reports:
  - {{name: R, endpoint: campaigns/performance, metrics: [impressions], date_range: last_7_days, destination: flat}}
""", encoding="utf-8")
    cfg = load_config(config, {"S": "s"})
    assert cfg.destinations["flat"].writes_bom is expected


def test_run_writes_bom_and_escapes_for_spreadsheet_users(tmp_path: Path, emulator, monkeypatch) -> None:
    """A run through the CLI: escape_formulas: true gives a BOM file with formula-like names escaped; a
    destination without it gives the API's text verbatim and no BOM."""
    from sheets_sync.cli import main

    monkeypatch.setenv("LATER_API_URL", emulator.url)
    config = tmp_path / "c.yaml"
    config.write_text("""\
api: {base_url: "${LATER_API_URL}", client_id: demo-client, client_secret: "${SECRET}"}
defaults: {date_range: {start: 2024-07-01, end: 2026-06-30}}
destinations:
  people: {type: csv, output: out/people.csv, escape_formulas: true}
  pipeline: {type: csv, output: out/pipeline.csv}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions]
    columns: [{field: campaignName, header: Campaign}]
    destination: [people, pipeline]
""", encoding="utf-8")
    monkeypatch.setenv("SECRET", "demo-secret")
    assert main(["run", str(config)]) == 0
    people, pipeline = (tmp_path / "out" / "people.csv").read_bytes(), (tmp_path / "out" / "pipeline.csv").read_bytes()
    assert people.startswith(BOM) and not pipeline.startswith(BOM)
    names = [row[0] for row in csv.reader(people.decode("utf-8-sig").splitlines())][1:]
    raw = [row[0] for row in csv.reader(pipeline.decode("utf-8").splitlines())][1:]
    assert any(name.startswith("=") for name in raw)  # the emulator serves formula-looking names
    assert all(not name.startswith(("=", "+", "-", "@")) for name in names)
    assert names == ["'" + n if n.startswith(("=", "+", "-", "@")) else n for n in raw]
