"""`sheets-sync sheets-emulator` as a process, and the read-only HTML page the emulator serves at `GET /`."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import gspread
import pytest
import requests

from sheets_sync.cli import main as cli_main
from sheets_sync.sheets_emulator.cli import VALIDATION_OFF, build_parser, quota_limits
from sheets_sync.sheets_emulator.client_session import loopback_session
from sheets_sync.sheets_emulator.html_view import display_value, format_number, format_serial
from sheets_sync.sheets_emulator.server import start_sheets_emulator

# Hides google-api-python-client from the child, as for a user who installed only requirements.txt.
WITHOUT_GOOGLEAPICLIENT = (
    "import sys\n"
    "sys.modules['googleapiclient'] = None  # what Python reports for a package that cannot be imported\n"
    "from sheets_sync.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def gspread_client(base: str) -> gspread.Client:
    return gspread.Client(None, session=loopback_session(base))


def _start(*args: str, code: str | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "sheets_sync", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`python -m sheets_sync sheets-emulator --port 0 --create abc` and the first line it printed."""
    proc = _start("sheets-emulator", "--port", "0", "--create", "abc")
    assert proc.stdout is not None
    line = proc.stdout.readline()
    yield proc, line
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def test_command_announces_its_url_serves_gspread_and_the_page_then_stops_on_sigterm(running) -> None:
    """First line `Listening on http://127.0.0.1:PORT`; a tab made through gspread shows on GET /; SIGTERM exits 0."""
    proc, line = running
    assert line.startswith("Listening on http://127.0.0.1:") and line.endswith("\n")
    url = line.split()[-1]
    book = gspread_client(url).open_by_key("abc")
    assert [ws.title for ws in book.worksheets()] == ["Sheet1"]
    book.add_worksheet("Made <here>", rows=5, cols=3).update([["x<y", 42]], "A1")
    page = requests.get(url + "/", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Made &lt;here&gt;" in page.text and "Made <here>" not in page.text
    tab = requests.get(url + "/view/abc", params={"tab": "Made <here>"}, timeout=5).text
    assert "x&lt;y" in tab and ">42<" in tab
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()


def test_without_the_discovery_package_it_runs_and_says_validation_is_off() -> None:
    """With google-api-python-client missing, the emulator still serves and says so in one stderr line."""
    proc = _start("sheets-emulator", "--port", "0", code=WITHOUT_GOOGLEAPICLIENT)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = proc.stdout.readline().split()[-1]
        assert proc.stderr.readline().rstrip("\n") == VALIDATION_OFF
        assert requests.get(url + "/", timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_options_are_checked_and_quota_options_parse(capsys: pytest.CaptureFixture[str]) -> None:
    """--write-quota/--read-quota set per-user limits (default 60); a bad port or quota is a usage error (exit 2)."""
    args = build_parser().parse_args(["--create", "a", "b", "--write-quota", "5", "--read-quota", "700"])
    assert args.create == ["a", "b"]
    limits = quota_limits(args)
    assert (limits.write_per_user, limits.read_per_user, limits.read_per_project) == (5, 700, 700)
    assert quota_limits(build_parser().parse_args([])).write_per_user == 60
    assert cli_main(["sheets-emulator", "--port", "70000"]) == 2
    assert cli_main(["sheets-emulator", "--write-quota", "0"]) == 2
    assert "expected" in capsys.readouterr().err


def test_page_lists_tabs_named_ranges_notes_and_formatted_cells() -> None:
    """Hidden tabs are marked, named ranges listed, notes shown, numbers and dates formatted, text escaped."""
    with start_sheets_emulator() as emulator:
        emulator.service.create_spreadsheet("book1", title="Report <1>")
        book = gspread_client(emulator.url).open_by_key("book1")
        data = book.add_worksheet("Data", rows=10, cols=4)
        book.add_worksheet("Staging", rows=2, cols=2).hide()
        book.batch_update({"requests": [
            {"updateCells": {"start": {"sheetId": data.id}, "fields": "userEnteredValue,userEnteredFormat,note",
                             "rows": [{"values": [
                                 {"userEnteredValue": {"stringValue": "=cmd|' /C calc'!A0"},
                                  "userEnteredFormat": {"textFormat": {"bold": True}}, "note": "refreshed <now>"},
                                 {"userEnteredValue": {"numberValue": 0.256},
                                  "userEnteredFormat": {"numberFormat": {"type": "PERCENT", "pattern": "0.0%"}}},
                                 {"userEnteredValue": {"numberValue": 45000},
                                  "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}},
                                 {"userEnteredValue": {"numberValue": 1234.5},
                                  "userEnteredFormat": {"numberFormat": {"type": "CURRENCY",
                                                                         "pattern": "\"$\"#,##0.00"}}}]}]}},
            {"addNamedRange": {"namedRange": {"name": "Data_range", "range": {"sheetId": data.id, "endRowIndex": 1,
                                                                              "endColumnIndex": 4}}}}]})
        page = requests.get(emulator.url + "/view/book1", params={"tab": "Data"}, timeout=5).text
    assert "Report &lt;1&gt;" in page and "Staging (hidden)" in page
    assert "Data_range: Data!A1:D1" in page
    assert "=cmd|&#x27; /C calc&#x27;!A0" in page and "class='b note'" in page
    assert "refreshed &lt;now&gt;" in page and "<now>" not in page
    assert "25.6%" in page and "2023-03-15" in page and "$1,234.50" in page


def test_without_a_tab_the_page_shows_the_first_visible_tab_that_holds_data() -> None:
    """A new spreadsheet's empty Sheet1 is not what a user wants to see after a run: the first filled tab is."""
    with start_sheets_emulator() as emulator:
        emulator.service.create_spreadsheet("book2")
        book = gspread_client(emulator.url).open_by_key("book2")
        first = requests.get(emulator.url + "/view/book2", timeout=5).text
        book.add_worksheet("Data", rows=2, cols=2).update([["Campaign"], ["Launch"]], "A1")
        filled = requests.get(emulator.url + "/view/book2", timeout=5).text
    assert "This tab is empty." in first  # nothing anywhere yet: the first visible tab, Sheet1
    assert "This tab is empty." not in filled and "Launch" in filled


def test_page_caps_rows_and_counts_the_rest() -> None:
    """A tab longer than 500 rows shows 500 and says how many more there are."""
    with start_sheets_emulator() as emulator:
        emulator.service.create_spreadsheet("long")
        sheet = gspread_client(emulator.url).open_by_key("long").sheet1
        sheet.update([[n] for n in range(1, 701)], "A1")
        page = requests.get(emulator.url + "/", timeout=5).text
    assert "<th class='rn'>500</th>" in page and "<th class='rn'>501</th>" not in page
    assert "200 more rows not shown." in page


@pytest.mark.parametrize(("value", "kind", "pattern", "shown"), [
    (0.1234, "PERCENT", "0.00%", "12.34%"),
    (1234567.891, "NUMBER", "#,##0.00", "1,234,567.89"),
    (1234.5, "CURRENCY", "[$€-2] #,##0.00", "€ 1,234.50"),
    (-3, "NUMBER", "0;(0)", "(3)"),
    (12.345, "NUMBER", "0", "12"),
    (0.30000000000000004, "", "", "0.3"),
    (45000.5, "DATE_TIME", "yyyy-mm-dd hh:mm", "2023-03-15 12:00"),
    (45000.75, "DATE", "d mmm yyyy h:mm am/pm", "15 Mar 2023 6:00 PM"),
    (45000, "DATE", "", "2023-03-15"),
])
def test_number_formats_are_applied_approximately(value: float, kind: str, pattern: str, shown: str) -> None:
    """Percent, grouping, currency (quoted and bracketed), negative sections, general numbers and date serials."""
    assert format_number(value, kind, pattern) == shown


@pytest.mark.parametrize(("value", "kind", "pattern", "shown"), [
    (12.5, "NUMBER", '0.00"%"', "12.50%"),
    (12.5, "NUMBER", "0.00\\%", "12.50%"),
    (-12.5, "NUMBER", '0.00"%";(0.00"%")', "(12.50%)"),
    (7, "NUMBER", '0" of 100"', "7 of 100"),
    (3, "NUMBER", '"a;b "0', "a;b 3"),
    (0.125, "PERCENT", '0.0%" (ratio)"', "12.5% (ratio)"),
])
def test_quoted_or_escaped_text_in_a_number_format_is_shown_literally_not_applied(
        value: float, kind: str, pattern: str, shown: str) -> None:
    """`0.00"%"` shows 12.5 as 12.50% (not 1250.00%): a quoted or escaped %, 0 or ; is text, not a code."""
    assert format_number(value, kind, pattern) == shown
    from sheets_sync.sheets_emulator.render import format_number as formatted_by_the_api

    assert formatted_by_the_api(value, {"type": kind, "pattern": pattern}) == shown


def test_dates_read_serials_from_1899_12_30_and_booleans_show_as_sheets_shows_them() -> None:
    """Serial 1 is 1899-12-31; minutes vs months are told apart; booleans are TRUE/FALSE; formulas show text."""
    assert format_serial(1, "yyyy-mm-dd") == "1899-12-31"
    assert format_serial(45000.5 + 5 / 1440, "mm/dd hh:mm") == "03/15 12:05"
    assert display_value({"userEnteredValue": {"boolValue": True}}) == "TRUE"
    assert display_value({"userEnteredValue": {"formulaValue": "=A1"}}) == "=A1"
    assert display_value({"userEnteredValue": {"formulaValue": "=1+1"}, "effectiveValue": {"numberValue": 2}}) == "2"
