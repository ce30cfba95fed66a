"""Builds the workbook email (pure): subject, plain-text and HTML summaries of each tab, the workbook attached.

Everything that comes from data (report names, headers, cell values) is HTML-escaped in the HTML body
and stripped of line breaks in headers, so data can never add markup, links or mail headers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from sheets_sync.report import Table, cell_text

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
XLSM_TYPE = ("application", "vnd.ms-excel.sheet.macroEnabled.12")
PREVIEW_ROWS = 5      # rows of each tab shown in the body: enough to recognise the data on a phone
PREVIEW_COLUMNS = 6   # wider tables are cut (the workbook has them all); a phone screen holds about six
CELL_CHARS = 40       # longer cell text is shortened in the preview
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class TabSummary:
    """What the email says about one tab: its name, size, period, refresh time and first rows as text."""

    name: str
    rows: int
    start_date: dt.date | None
    end_date: dt.date | None
    refreshed_at: dt.datetime | None
    headers: tuple[str, ...]
    preview: tuple[tuple[str, ...], ...]
    hidden_columns: int = 0


def summarise(name: str, table: Table) -> TabSummary:
    """The summary of `table` shown under tab `name` (its rows must be a list: they were read once already)."""
    rows = list(table.rows)
    headers = [_short(h) for h in table.headers[:PREVIEW_COLUMNS]]
    preview = tuple(tuple(_short(cell_text(v)) for v in row[:PREVIEW_COLUMNS]) for row in rows[:PREVIEW_ROWS])
    return TabSummary(name=name, rows=len(rows), start_date=table.meta.start_date, end_date=table.meta.end_date,
                      refreshed_at=table.meta.refreshed_at, headers=tuple(headers), preview=preview,
                      hidden_columns=max(0, len(table.headers) - PREVIEW_COLUMNS))


def _short(text: str) -> str:
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + "…"


def one_line(text: str) -> str:
    """`text` fit for a mail header: control characters (CR, LF) become spaces."""
    return _CONTROL.sub(" ", text).strip()


def render_subject(template: str, values: Mapping[str, Any]) -> str:
    """The subject template with its placeholders filled (dates take a strftime format), on one line."""
    out: list[str] = []
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            value = values.get(name)
            if value is None:
                out.append("")
            elif isinstance(value, (dt.date, dt.datetime)):
                out.append(value.strftime(spec) if spec else value.isoformat())
            else:
                out.append(str(value))
    return one_line("".join(out))


def _period(tab: TabSummary) -> str:
    if tab.start_date and tab.end_date:
        return f"{tab.start_date.isoformat()} to {tab.end_date.isoformat()}"
    return "no period"


def _refreshed(tab: TabSummary) -> str:
    return tab.refreshed_at.strftime("%Y-%m-%d %H:%M %Z").strip() if tab.refreshed_at else "unknown"


def _rows_word(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def text_body(intro: str, tabs: Sequence[TabSummary]) -> str:
    """The plain-text body: one block per tab with its facts and its first rows, columns separated by |."""
    lines = [intro, ""]
    for tab in tabs:
        lines += [f"== {tab.name} ==", f"{_rows_word(tab.rows)} · {_period(tab)} · refreshed {_refreshed(tab)}"]
        if tab.preview:
            lines.append(" | ".join(tab.headers))
            lines += [" | ".join(row) for row in tab.preview]
            more = _more(tab)
            if more:
                lines.append(more)
        lines.append("")
    lines.append("The full data is in the attached workbook.")
    return "\n".join(lines) + "\n"


def _more(tab: TabSummary) -> str:
    parts = []
    if tab.rows > len(tab.preview):
        parts.append(f"{tab.rows - len(tab.preview):,} more rows")
    if tab.hidden_columns:
        parts.append(f"{tab.hidden_columns} more columns")
    return f"({' and '.join(parts)} in the workbook)" if parts else ""


_CELL = "padding:4px 6px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap"


def html_body(intro: str, tabs: Sequence[TabSummary]) -> str:
    """The HTML body: the same content as the text body, readable on a phone (tables scroll sideways)."""
    esc = html.escape
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8">'
             '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
             '<body style="font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:15px;'
             'color:#222;margin:0;padding:12px;max-width:720px">',
             f"<p>{esc(intro)}</p>"]
    for tab in tabs:
        parts.append(f'<h2 style="font-size:17px;margin:18px 0 4px">{esc(tab.name)}</h2>')
        parts.append(f'<p style="margin:0 0 8px;color:#555">{esc(_rows_word(tab.rows))} · {esc(_period(tab))} · '
                     f"refreshed {esc(_refreshed(tab))}</p>")
        if tab.preview:
            head = "".join(f'<th style="{_CELL}">{esc(h)}</th>' for h in tab.headers)
            body = "".join("<tr>" + "".join(f'<td style="{_CELL}">{esc(c)}</td>' for c in row) + "</tr>"
                           for row in tab.preview)
            parts.append('<div style="overflow-x:auto"><table style="border-collapse:collapse;font-size:13px">'
                         f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
            more = _more(tab)
            if more:
                parts.append(f'<p style="margin:4px 0;color:#555;font-size:13px">{esc(more)}</p>')
    parts.append("<p>The full data is in the attached workbook.</p></body></html>")
    return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class Envelope:
    """Who a message is from and to, its subject and its identity."""

    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    message_id: str
    date: dt.datetime

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc]


def _address(text: str) -> Address:
    user, _, domain = text.rpartition("@")
    return Address(addr_spec=f"{user}@{domain}")


def base_message(envelope: Envelope, text: str, html_text: str | None = None) -> EmailMessage:
    """A message with headers and a plain-text body (and an HTML alternative when given)."""
    message = EmailMessage()
    message["From"] = _address(envelope.sender)
    message["To"] = [_address(a) for a in envelope.to]
    if envelope.cc:
        message["Cc"] = [_address(a) for a in envelope.cc]
    message["Subject"] = one_line(envelope.subject)
    message["Date"] = format_datetime(envelope.date)
    message["Message-ID"] = envelope.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
    message.set_content(text)
    if html_text is not None:
        message.add_alternative(html_text, subtype="html")
    return message


def workbook_message(envelope: Envelope, intro: str, tabs: Sequence[TabSummary], workbook_name: str,
                     workbook: bytes) -> EmailMessage:
    """The destination's email: text and HTML summaries of `tabs`, the workbook attached as `workbook_name`."""
    message = base_message(envelope, text_body(intro, tabs), html_body(intro, tabs))
    maintype, subtype = XLSM_TYPE if workbook_name.lower().endswith(".xlsm") else XLSX_TYPE
    message.add_attachment(workbook, maintype=maintype, subtype=subtype, filename=workbook_name)
    return message


def message_id(run_id: str, destination: str, domain: str) -> str:
    """A Message-ID fixed by the run and the destination: a retry of the same send carries the same one."""
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", destination).strip("-")[:40] or "destination"
    unique = hashlib.sha256(destination.encode("utf-8")).hexdigest()[:8]  # "a b" and "a-b" stay apart
    host = re.sub(r"[^A-Za-z0-9.-]+", "", domain) or "sheets-sync.invalid"
    return f"<{run_id}.{safe}.{unique}@{host}>"
