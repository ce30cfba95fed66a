"""The emulator's read-only HTML page: each spreadsheet, its tabs and named ranges, and a tab's cells as shown.

Pure rendering (no I/O): the server passes the spreadsheets and the query string. Every string from a
spreadsheet is data written by an API client, so it is escaped before it reaches the page.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, unquote

from sheets_sync.sheets_emulator.service import ApiResponse

MAX_ROWS = 500
MAX_COLUMNS = 100
SERIAL_EPOCH = dt.datetime(1899, 12, 30)
DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})
STYLE = """body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;white-space:pre-wrap}
th.rn,th.cn{background:#f3f3f3;color:#666;font-weight:normal}td.num{text-align:right}
td.b{font-weight:bold}td.note{background:linear-gradient(225deg,#e69138 5px,transparent 5px)}
nav a{margin-right:1em}.hidden{color:#888;font-style:italic}.cur{font-weight:bold}"""


class TabView(Protocol):
    """What the page reads of one tab."""

    @property
    def title(self) -> str: ...

    @property
    def hidden(self) -> bool: ...

    @property
    def sheet_id(self) -> int: ...

    @property
    def rows(self) -> int: ...

    @property
    def cols(self) -> int: ...

    @property
    def cells(self) -> Mapping[tuple[int, int], Mapping[str, Any]]: ...


class SpreadsheetView(Protocol):
    """What the page reads of one spreadsheet."""

    @property
    def spreadsheet_id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def sheets(self) -> Sequence[TabView]: ...

    @property
    def named_ranges(self) -> Sequence[Mapping[str, Any]]: ...


def html_page(method: str, raw_path: str, raw_query: str,
              spreadsheets: Callable[[], Sequence[SpreadsheetView]]) -> ApiResponse | None:
    """The answer to `GET /` or `GET /view/KEY[?tab=T]`, or None for any other request (an API call).

    `GET /?spreadsheet=KEY&tab=T` works too, for a form or a bookmark.
    """
    if method not in ("GET", "HEAD") or not (raw_path == "/" or raw_path.startswith("/view/")):
        return None
    query = parse_qs(raw_query)
    key = unquote(raw_path[len("/view/"):]) if raw_path.startswith("/view/") else query.get("spreadsheet", [None])[0]
    page = render_page(spreadsheets(), key, query.get("tab", [None])[0])
    return ApiResponse(200, page.encode("utf-8"), "text/html; charset=utf-8")


def render_page(spreadsheets: Sequence[SpreadsheetView], spreadsheet_id: str | None = None,
                tab: str | None = None) -> str:
    """The whole page: the spreadsheet list, then the chosen spreadsheet (default the first) and tab."""
    chosen = next((s for s in spreadsheets if s.spreadsheet_id == spreadsheet_id), None)
    if chosen is None and spreadsheets and spreadsheet_id is None:
        chosen = spreadsheets[0]
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Sheets emulator</title>",
             f"<style>{STYLE}</style></head><body><h1>Sheets emulator</h1>"]
    if not spreadsheets:
        parts.append("<p>No spreadsheets yet. Create one with <code>--create KEY</code> or the Drive API.</p>")
    else:
        links = [f"<a href='{_view_url(s.spreadsheet_id)}'{_current(s is chosen)}>{escape(s.title)}</a>"
                 f" <small>({escape(s.spreadsheet_id)})</small>" for s in spreadsheets]
        parts.append("<nav>Spreadsheets: " + " ".join(links) + "</nav>")
    if chosen is not None:
        parts.append(render_spreadsheet(chosen, tab))
    elif spreadsheet_id is not None:
        parts.append(f"<p>No spreadsheet with the key {escape(spreadsheet_id)}.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_spreadsheet(book: SpreadsheetView, tab: str | None) -> str:
    """One spreadsheet: its tabs (hidden ones marked), named ranges, and the chosen tab's cells."""
    sheets = list(book.sheets)
    chosen = _chosen_tab(sheets, tab)
    parts = [f"<h2>{escape(book.title)}</h2>"]
    tab_links = []
    for sheet in sheets:
        label = escape(sheet.title) + (" (hidden)" if sheet.hidden else "")
        classes = " ".join(c for c, on in (("hidden", sheet.hidden), ("cur", sheet is chosen)) if on)
        css = f" class='{classes}'" if classes else ""
        url = f"{_view_url(book.spreadsheet_id)}?tab={quote(sheet.title, safe='')}"
        tab_links.append(f"<a href='{url}'{css}>{label}</a>")
    parts.append("<nav>Tabs: " + " ".join(tab_links) + "</nav>")
    if book.named_ranges:
        titles = {s.sheet_id: s.title for s in sheets}
        items = [f"<li>{escape(str(n.get('name', '')))}: {escape(_range_text(n.get('range', {}), titles))}</li>"
                 for n in book.named_ranges]
        parts.append("<p>Named ranges:</p><ul>" + "".join(items) + "</ul>")
    if chosen is None:
        parts.append(f"<p>No tab named {escape(tab or '')}.</p>")
    else:
        parts.append(render_tab(chosen))
    return "\n".join(parts)


def render_tab(sheet: TabView) -> str:
    """A tab's used area as a table (at most MAX_ROWS rows), then its notes as footnotes."""
    cells = {key: cell for key, cell in sheet.cells.items()
             if key[0] < sheet.rows and key[1] < sheet.cols and _has_content(cell)}
    header = f"<p>{sheet.rows} rows × {sheet.cols} columns in the grid.</p>"
    if not cells:
        return header + "<p>This tab is empty.</p>"
    used_rows = max(r for r, _ in cells) + 1
    used_cols = min(max(c for _, c in cells) + 1, MAX_COLUMNS)
    shown_rows = min(used_rows, MAX_ROWS)
    notes: list[str] = []
    lines = [header, "<table><tr><th class='cn'></th>"
             + "".join(f"<th class='cn'>{column_letters(c)}</th>" for c in range(used_cols)) + "</tr>"]
    for row in range(shown_rows):
        tds = []
        for col in range(used_cols):
            cell = cells.get((row, col), {})
            tds.append(_cell_html(cell, f"{column_letters(col)}{row + 1}", notes))
        lines.append(f"<tr><th class='rn'>{row + 1}</th>{''.join(tds)}</tr>")
    lines.append("</table>")
    if used_rows > shown_rows:
        lines.append(f"<p>{used_rows - shown_rows} more rows not shown.</p>")
    if notes:
        lines.append("<p>Notes:</p><ol>" + "".join(notes) + "</ol>")
    return "\n".join(lines)


def _cell_html(cell: Mapping[str, Any], a1: str, notes: list[str]) -> str:
    classes = []
    fmt = cell.get("userEnteredFormat", {})
    if fmt.get("textFormat", {}).get("bold"):
        classes.append("b")
    value = _value(cell)
    if isinstance(value, int | float) and not isinstance(value, bool):
        classes.append("num")
    note = cell.get("note")
    title = ""
    marker = ""
    if note:
        classes.append("note")
        notes.append(f"<li>{a1}: {escape(str(note))}</li>")
        title = f" title='{escape(str(note), quote=True)}'"
        marker = f"<sup>{len(notes)}</sup>"
    css = f" class='{' '.join(classes)}'" if classes else ""
    return f"<td{css}{title}>{escape(display_value(cell))}{marker}</td>"


def display_value(cell: Mapping[str, Any]) -> str:
    """The text a cell shows: its value with its number format applied (approximately, en_US)."""
    value = _value(cell)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        number_format = cell.get("userEnteredFormat", {}).get("numberFormat") or {}
        return format_number(float(value), str(number_format.get("type", "")), str(number_format.get("pattern", "")))
    return str(value)


def _value(cell: Mapping[str, Any]) -> Any:
    """The cell's computed value, else what was entered (a formula's text when nothing computed it)."""
    for key in ("effectiveValue", "userEnteredValue"):
        extended = cell.get(key)
        if isinstance(extended, Mapping) and extended:
            if "errorValue" in extended:
                return str(extended["errorValue"].get("type", "#ERROR!"))
            for kind in ("stringValue", "numberValue", "boolValue", "formulaValue"):
                if kind in extended:
                    return extended[kind]
    return None


def _has_content(cell: Mapping[str, Any]) -> bool:
    return _value(cell) is not None or bool(cell.get("note"))


def format_number(value: float, kind: str, pattern: str) -> str:
    """`value` shown per a Sheets number format: dates from serials, percent, currency, grouping, decimals."""
    if not math.isfinite(value):
        return "#NUM!"
    if kind in DATE_TYPES or (pattern and _is_date_pattern(pattern)):
        return format_serial(value, pattern or _DEFAULT_DATE_PATTERNS.get(kind, "yyyy-mm-dd"))
    if not pattern:
        pattern = {"PERCENT": "0.00%", "CURRENCY": "$#,##0.00", "SCIENTIFIC": "0.00E+00"}.get(kind, "")
    if not pattern:
        return _general(value)
    sections = _split_sections(pattern)
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    if value < 0 and len(sections) > 1:
        value = -value
    # `[$€-2]` is a currency symbol; other brackets are colours or conditions, which show nothing.
    section = re.sub(r"\[[^\]]*\]", "", re.sub(r"\[\$([^\]-]*)[^\]]*\]", lambda m: f'"{m.group(1)}"', section))
    codes = masked_literals(section)  # "%" or "0" inside quotes (or escaped) is text, not a code
    if "E+" in codes.upper():
        decimals = _decimals(codes.upper().split("E")[0])
        return f"{value:.{decimals}E}"
    if "%" in codes:
        value *= 100
    digits = _DIGITS.search(codes)
    if digits is None:
        return _literal(section)
    number_part = digits.group(0)
    decimals = _decimals(number_part)
    text = f"{value:,.{decimals}f}" if "," in number_part else f"{value:.{decimals}f}"
    return _literal(section[:digits.start()]) + text + _literal(section[digits.end():])


_LITERAL = re.compile(r'"[^"]*"?|\\.')


def masked_literals(section: str) -> str:
    """`section` with each quoted string and escaped character blanked out (same length, so positions hold)."""
    return _LITERAL.sub(lambda m: "\0" * len(m.group(0)), section)


def _split_sections(pattern: str) -> list[str]:
    """The `;`-separated sections of a pattern; a `;` inside quotes is text."""
    codes = masked_literals(pattern)
    bounds = [-1] + [i for i, ch in enumerate(codes) if ch == ";"] + [len(pattern)]
    return [pattern[a + 1:b] for a, b in itertools.pairwise(bounds)]


_DIGITS = re.compile(r"[#0?][#0?,]*(?:\.[#0?]*)?|\.[#0?]+")


def _decimals(number_part: str) -> int:
    return len(number_part.split(".", 1)[1]) if "." in number_part else 0


def _literal(text: str) -> str:
    """The literal text around a format's digits: quoted strings and escaped characters, `_x` padding dropped."""
    text = re.sub(r"_.", "", text)
    return re.sub(r'"([^"]*)"|\\(.)', lambda m: m.group(1) or m.group(2) or "", text).replace("*", "")


def _general(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


_DEFAULT_DATE_PATTERNS = {"DATE": "yyyy-mm-dd", "TIME": "hh:mm:ss", "DATE_TIME": "yyyy-mm-dd hh:mm:ss"}
_DATE_TOKEN = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+', re.I)


def _is_date_pattern(pattern: str) -> bool:
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", pattern).lower()
    return bool(re.search(r"[yd]|h|s(?!c)", bare)) and not re.search(r"[0#]", bare)


def format_serial(serial: float, pattern: str) -> str:
    """A date serial (days since 1899-12-30) written with a Sheets date/time pattern."""
    try:
        moment = SERIAL_EPOCH + dt.timedelta(days=serial)
    except OverflowError:
        return _general(serial)
    moment = moment.replace(microsecond=0) + dt.timedelta(seconds=round(moment.microsecond / 1e6))
    twelve_hour = bool(re.search(r"am/pm|a/p", pattern, re.I))
    tokens = list(_DATE_TOKEN.finditer(pattern))
    out: list[str] = []
    pos = 0
    for index, match in enumerate(tokens):
        out.append(pattern[pos:match.start()])
        pos = match.end()
        token = match.group(0)
        lower = token.lower()
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        elif lower in ("m", "mm") and _minutes_context(tokens, index):
            out.append(f"{moment.minute:02d}" if lower == "mm" else str(moment.minute))
        else:
            out.append(_date_part(lower, moment, twelve_hour))
    out.append(pattern[pos:])
    return "".join(out)


def _minutes_context(tokens: Sequence[re.Match[str]], index: int) -> bool:
    """`m`/`mm` means minutes right after an hour or right before seconds, as in Sheets."""
    before = tokens[index - 1].group(0).lower() if index > 0 else ""
    after = tokens[index + 1].group(0).lower() if index + 1 < len(tokens) else ""
    return before in ("h", "hh") or after in ("s", "ss")


def _date_part(token: str, moment: dt.datetime, twelve_hour: bool) -> str:
    hour = (moment.hour % 12 or 12) if twelve_hour else moment.hour
    parts = {"yyyy": f"{moment.year:04d}", "yy": f"{moment.year % 100:02d}", "mmmm": moment.strftime("%B"),
             "mmm": moment.strftime("%b"), "mm": f"{moment.month:02d}", "m": str(moment.month),
             "dddd": moment.strftime("%A"), "ddd": moment.strftime("%a"), "dd": f"{moment.day:02d}",
             "d": str(moment.day), "hh": f"{hour:02d}", "h": str(hour), "ss": f"{moment.second:02d}",
             "s": str(moment.second), "am/pm": "AM" if moment.hour < 12 else "PM",
             "a/p": "A" if moment.hour < 12 else "P"}
    if token.startswith("."):
        return "." + "0" * (len(token) - 1)
    return parts.get(token, token)


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _range_text(grid_range: Mapping[str, Any], titles: Mapping[int, str]) -> str:
    title = titles.get(int(grid_range.get("sheetId", 0)), "?")
    start_row, end_row = grid_range.get("startRowIndex"), grid_range.get("endRowIndex")
    start_col, end_col = grid_range.get("startColumnIndex"), grid_range.get("endColumnIndex")
    first = f"{column_letters(int(start_col or 0))}{int(start_row or 0) + 1}"
    if end_row is None and end_col is None and start_row is None and start_col is None:
        return title
    last_col = column_letters(int(end_col) - 1) if end_col is not None else ""
    last_row = str(int(end_row)) if end_row is not None else ""
    return f"{title}!{first}:{last_col}{last_row}"


def _chosen_tab(sheets: Sequence[TabView], tab: str | None) -> TabView | None:
    if tab is None:  # the first visible tab with something in it: a new spreadsheet's empty Sheet1 shows nothing
        visible = [s for s in sheets if not s.hidden]
        filled = (s for s in visible if any(_has_content(c) for c in s.cells.values()))
        return next(filled, visible[0] if visible else (sheets[0] if sheets else None))
    return next((s for s in sheets if s.title == tab or str(s.sheet_id) == tab), None)


def _view_url(spreadsheet_id: str) -> str:
    return f"/view/{quote(spreadsheet_id, safe='')}"


def _current(is_current: bool) -> str:
    return " class='cur'" if is_current else ""
