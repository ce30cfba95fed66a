"""The workbook email as built (pure): parts, attachment, summaries, escaping, subject, digest."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

from sheets_sync.delivery.digest import data_digest
from sheets_sync.delivery.message import (
    XLSX_TYPE,
    Envelope,
    message_id,
    render_subject,
    summarise,
    text_body,
    workbook_message,
)
from sheets_sync.report import Column, ColumnKind, Table, TableMeta

REFRESHED = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)


def table(rows: list[list[object]], headers: tuple[str, ...] = ("Campaign", "Impressions"),
          refreshed: dt.datetime = REFRESHED) -> Table:
    columns = [Column(field=h.lower(), header=h, kind=ColumnKind.TEXT if i == 0 else ColumnKind.INTEGER)
               for i, h in enumerate(headers)]
    meta = TableMeta(report="Campaigns", endpoint="campaigns/performance", start_date=dt.date(2026, 6, 1),
                     end_date=dt.date(2026, 6, 30), refreshed_at=refreshed)
    return Table(columns=columns, rows=rows, meta=meta)


def envelope() -> Envelope:
    return Envelope(sender="robot@example.com", to=("team@example.com",), cc=("boss@example.com",),
                    subject="June report", message_id="<run1.out.abcd@example.com>", date=REFRESHED)


def parsed(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_message_has_text_and_html_bodies_and_the_workbook_attached():
    """One message: plain text and HTML alternatives, the workbook as an .xlsx attachment named like the file."""
    tabs = [summarise("Campaigns", table([["Spring", 1200], ["Summer", None]]))]
    message = parsed(workbook_message(envelope(), "intro line", tabs, "influence-2026-06.xlsx", b"PK\x03\x04data")
                     .as_bytes())
    assert message["To"] == "team@example.com" and message["Cc"] == "boss@example.com"
    assert message["Message-ID"] == "<run1.out.abcd@example.com>"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "Campaigns" in text.get_content() and "2 rows" in text.get_content()
    assert "2026-06-01 to 2026-06-30" in text.get_content() and "refreshed 2026-07-01 08:30 UTC" in text.get_content()
    assert "Spring | 1200" in text.get_content()
    assert 'name="viewport"' in html.get_content() and "overflow-x:auto" in html.get_content()  # phone-readable
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["influence-2026-06.xlsx"]
    assert attachments[0].get_content_type() == "/".join(XLSX_TYPE)
    assert attachments[0].get_content() == b"PK\x03\x04data"


def test_data_in_the_html_body_is_escaped():
    """Headers, cells and tab names from data appear as text in the HTML, never as markup."""
    hostile = '<script>alert("x")</script>'
    tabs = [summarise("<b>tab</b>", table([[hostile, 1]], headers=("<i>Campaign</i>", "Impressions")))]
    html = parsed(workbook_message(envelope(), "a & b", tabs, "x.xlsx", b"x").as_bytes()).get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert "<script>" not in content and "<b>tab</b>" not in content and "<i>Campaign</i>" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert "&lt;b&gt;tab&lt;/b&gt;" in content and "a &amp; b" in content


def test_the_preview_shows_the_first_rows_and_columns_and_says_what_is_left_out():
    """Five rows and six columns at most (a phone screen); the rest is counted, not dropped silently."""
    headers = tuple(f"C{i}" for i in range(9))
    rows: list[list[object]] = [[f"r{r}c{c}" for c in range(9)] for r in range(12)]
    tab = summarise("Wide", table(rows, headers=headers))
    assert len(tab.preview) == 5 and all(len(row) == 6 for row in tab.preview)
    body = text_body("intro", [tab])
    assert "(7 more rows and 3 more columns in the workbook)" in body
    assert "r5c0" not in body and "r0c6" not in body


def test_an_empty_tab_says_zero_rows_without_a_table():
    """A tab with no rows is listed with 0 rows and no empty table."""
    body = text_body("intro", [summarise("Empty", table([]))])
    assert "== Empty ==" in body and "0 rows" in body and "Campaign | Impressions" not in body


def test_subject_placeholders_fill_and_line_breaks_cannot_add_headers():
    """{end_date:%B %Y} and {destination} fill in; a line break from a value becomes a space, not a new header."""
    subject = render_subject("Influence {end_date:%B %Y} ({destination})",
                             {"end_date": dt.date(2026, 6, 30), "destination": "team\r\nBcc: evil@example.com"})
    assert subject == "Influence June 2026 (team Bcc: evil@example.com)"
    message = parsed(workbook_message(Envelope("r@example.com", ("t@example.com",), (), subject, "<a@b>", REFRESHED),
                                      "i", [], "x.xlsx", b"x").as_bytes())
    assert message["Bcc"] is None


def test_message_id_is_fixed_by_run_and_destination():
    """The same run and destination give the same Message-ID; another destination (even one alike) another."""
    first = message_id("abc123", "team book", "example.com")
    assert first == message_id("abc123", "team book", "example.com")
    assert first != message_id("abc123", "team-book", "example.com")
    assert first != message_id("abc124", "team book", "example.com")
    assert re.fullmatch(r"<abc123\.team-book\.[0-9a-f]{8}@example\.com>", first)


def test_digest_ignores_the_refresh_time_but_sees_every_value():
    """Same data fetched later: same digest; one changed cell or header: another digest."""
    same = data_digest([("Campaigns", table([["Spring", 1200]]))])
    later = data_digest([("Campaigns", table([["Spring", 1200]], refreshed=REFRESHED + dt.timedelta(days=1)))])
    assert same == later
    assert same != data_digest([("Campaigns", table([["Spring", 1201]]))])
    assert same != data_digest([("Campaigns", table([["Spring", 1200]], headers=("Name", "Impressions")))])
    assert same != data_digest([("Campaigns", table([["Spring", None]]))])


def test_a_macro_workbook_is_attached_with_its_own_type():
    """An .xlsm output goes out as a macro-enabled workbook, not mislabelled as .xlsx."""
    message = parsed(workbook_message(envelope(), "i", [], "book.xlsm", b"x").as_bytes())
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/vnd.ms-excel.sheet.macroenabled.12"
