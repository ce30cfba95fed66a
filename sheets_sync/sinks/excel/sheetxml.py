"""Read a template worksheet's XML as text: split around `<sheetData>`, list rows and cells."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import unescape

from sheets_sync.errors import TemplateError
from sheets_sync.sinks.excel.cells import column_index
from sheets_sync.sinks.excel.xmltext import get_attr

_SHEETDATA_OPEN = re.compile(r"<(\w+:)?sheetData\b[^>]*?(/?)>")
_ROW = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_START = re.compile(r"<\w+\b[^>]*?/?>")
_FORMULA = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(r"<v>(.*?)</v>", re.S)
_TEXT = re.compile(r"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
_REF = re.compile(r"([A-Z]{1,3})(\d+)")


@dataclass(frozen=True)
class Cell:
    """One `<c>` element of a template sheet."""

    column: int
    row: int
    start_tag: str
    raw: str
    formula: str | None        # formula text as stored (still XML-escaped), None if no <f>
    formula_attrs: str         # the <f> element's attributes (t="shared", si, ref), "" without one
    value: str | None          # `<v>` text (XML-escaped), None if absent
    inline_text: str | None    # unescaped inline string text

    @property
    def style(self) -> int | None:
        s = get_attr(self.start_tag, "s")
        return int(s) if s is not None else None

    @property
    def type(self) -> str:
        return get_attr(self.start_tag, "t") or "n"

    @property
    def is_blank(self) -> bool:
        return self.formula is None and self.value is None and self.inline_text is None

    def text(self, shared: Sequence[str]) -> str | None:
        """Return the cell's displayed text when it holds text or a number, else None."""
        if self.formula is not None:
            return None
        if self.inline_text is not None:
            return self.inline_text
        if self.value is None:
            return None
        if self.type == "s":
            index = int(self.value)
            return shared[index] if index < len(shared) else None
        return unescape(self.value)


@dataclass(frozen=True)
class Row:
    """One `<row>` element of a template sheet."""

    number: int
    start_tag: str
    raw: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class SheetXml:
    """A worksheet split into the text before its rows, the rows, and the text after them."""

    head: str          # up to and including the `<sheetData>` start tag
    rows_xml: str
    tail: str          # from `</sheetData>` on


def split_sheet(xml: str, part: str) -> SheetXml:
    """Split worksheet XML around its `<sheetData>` content."""
    match = _SHEETDATA_OPEN.search(xml)
    if match is None:
        raise TemplateError(f"{part}: worksheet has no sheetData")
    if match.group(1):
        # Excel, LibreOffice and the common writers use the default namespace; a prefixed sheet
        # (some .NET generators) would need every pattern here to be prefix-aware.
        raise TemplateError(f"{part}: worksheets written with a namespace prefix ({match.group(1)}) are not "
                            "supported; open and save the template in Excel or LibreOffice first")
    if match.group(2):   # <sheetData/>: open it up so rows can be written
        return SheetXml(xml[: match.start()] + "<sheetData>", "", "</sheetData>" + xml[match.end():])
    close = xml.index("</sheetData>", match.end())
    return SheetXml(xml[: match.end()], xml[match.end(): close], xml[close:])


def _start_tag(element: str) -> str:
    """The start tag of an element text that a pattern above matched (so it begins with one)."""
    match = _START.match(element)
    assert match is not None, element[:40]
    return match.group(0)


def parse_cell(raw: str, row_number: int, position: int) -> Cell:
    """Parse one `<c>` element (cells without `r` take the next column)."""
    start = _start_tag(raw)
    ref = get_attr(start, "r")
    column, row = position, row_number
    if ref:
        m = _REF.match(ref)
        if m is None:
            raise TemplateError(f"a template cell has the reference {ref!r}, which is not a cell such as B7")
        column, row = column_index(m.group(1)), int(m.group(2))
    formula = _FORMULA.search(raw)
    value = _VALUE.search(raw)
    inline = None
    if "<is>" in raw or "<is " in raw:
        inline = unescape("".join(t or "" for t in _TEXT.findall(raw)), {"&quot;": '"', "&apos;": "'"})
    return Cell(column, row, start, raw,
                (formula.group(2) or "") if formula else None, formula.group(1) if formula else "",
                value.group(1) if value else None, inline)


def iter_rows(rows_xml: str) -> Iterator[Row]:
    """Yield the rows of a sheetData body in document order."""
    last = 0
    for match in _ROW.finditer(rows_xml):
        raw = match.group(0)
        start = _start_tag(raw)
        number = int(get_attr(start, "r") or last + 1)
        last = number
        cells, position = [], 0
        for cell_match in _CELL.finditer(raw):
            cell = parse_cell(cell_match.group(0), number, position + 1)
            position = cell.column
            cells.append(cell)
        yield Row(number, start, raw, tuple(cells))
