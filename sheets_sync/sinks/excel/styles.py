"""Number formats and cell styles: Excel's built-in formats, date detection, and derived template styles."""

from __future__ import annotations

import re

from sheets_sync.errors import TemplateError
from sheets_sync.sinks.excel.cells import escape_attr
from sheets_sync.sinks.excel.xmltext import get_attr, set_attr

# The built-in number formats a writer may reference by id without declaring them (ECMA-376 §18.8.30).
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0",
    49: "@",
}
_BUILTIN_IDS = {code: num for num, code in BUILTIN_FORMATS.items()}
_DATE_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
FIRST_CUSTOM_FORMAT_ID = 164
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_date_format(code: str) -> bool:
    """Tell whether a number format code displays a date or time."""
    bare = _QUOTED_OR_ESCAPED.sub("", code)
    return any(ch in bare for ch in "dmyhsDMYHS") and "General" not in code


def builtin_format_id(code: str) -> int | None:
    """Return the built-in id of a format code, if Excel has one."""
    return _BUILTIN_IDS.get(code)


_XF = re.compile(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_NUMFMT = re.compile(r"<numFmt\b[^>]*/>")
# The style a cell gets when its template style index is out of range: Excel's own default.
_DEFAULT_XF = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'


class TemplateStyles:
    """A template's `styles.xml`, able to derive new cell styles from existing ones.

    New `cellXfs` entries are appended (existing indices never move), so every `s=` in the
    template stays valid; the part is only rewritten when a style was actually derived.
    """

    def __init__(self, xml: str) -> None:
        self.xml = xml
        xfs = re.search(r"(<cellXfs\b[^>]*>)(.*?)(</cellXfs>)", xml, re.S)
        if xfs is None:
            raise ValueError("styles.xml has no cellXfs")
        self._xfs_match = xfs
        self.xfs: list[str] = _XF.findall(xfs.group(2))
        self.formats: dict[int, str] = dict(BUILTIN_FORMATS)
        for tag in _NUMFMT.findall(xml):
            num, code = get_attr(tag, "numFmtId"), get_attr(tag, "formatCode")
            if num is not None and code is not None:
                self.formats[int(num)] = code
        self._new_formats: dict[str, int] = {}
        self._derived: dict[tuple[int, str | None, bool], int] = {}
        self._base_count = len(self.xfs)

    @property
    def changed(self) -> bool:
        """Whether any style was derived (and the part must be rewritten)."""
        return len(self.xfs) != self._base_count

    def format_of(self, style: int | None) -> str:
        """Return the number format code a cell style shows."""
        if style is None or style >= len(self.xfs):
            return "General"
        num = get_attr(self.xfs[style], "numFmtId") or "0"
        return self.formats.get(int(num), "General")

    def is_date_style(self, style: int | None) -> bool:
        """Tell whether the cell style formats numbers as dates or times."""
        if style is None or style >= len(self.xfs):
            return False
        num = int(get_attr(self.xfs[style], "numFmtId") or "0")
        return num in _DATE_IDS or (num >= FIRST_CUSTOM_FORMAT_ID and is_date_format(self.formats.get(num, "")))

    def _format_id(self, code: str) -> int:
        for num, known in self.formats.items():
            if known == code:
                return num
        num = max([FIRST_CUSTOM_FORMAT_ID - 1, *self.formats]) + 1
        self.formats[num] = code
        self._new_formats[code] = num
        return num

    def derive(self, style: int | None, number_format: str | None = None, quote_prefix: bool = False) -> int:
        """Return a cell style like `style` but with another number format and/or quotePrefix."""
        base = style or 0
        if number_format is not None and number_format == self.format_of(style) and not quote_prefix:
            return base   # already shows that format: keep styles.xml as it is
        key = (base, number_format, quote_prefix)
        if key in self._derived:
            return self._derived[key]
        xf = self.xfs[base] if base < len(self.xfs) else _DEFAULT_XF
        found = re.match(r"<xf\b[^>]*?/?>", xf)
        assert found is not None, "every entry of self.xfs is an <xf> element"
        start = found.group(0)
        new_start = start
        if number_format is not None:
            new_start = set_attr(new_start, "numFmtId", str(self._format_id(number_format)))
            new_start = set_attr(new_start, "applyNumberFormat", "1")
        if quote_prefix:
            new_start = set_attr(new_start, "quotePrefix", "1")
        self.xfs.append(new_start + xf[len(start):])
        self._derived[key] = len(self.xfs) - 1
        return self._derived[key]

    def render(self) -> str:
        """Return the stylesheet XML with derived styles and formats added."""
        m = self._xfs_match
        open_tag = set_attr(m.group(1), "count", str(len(self.xfs)))
        xml = self.xml[: m.start()] + open_tag + "".join(self.xfs) + m.group(3) + self.xml[m.end():]
        if self._new_formats:
            added = "".join(f'<numFmt numFmtId="{num}" formatCode="{escape_attr(code)}"/>'
                            for code, num in self._new_formats.items())
            block = re.search(r"(<numFmts\b[^>]*>)(.*?)(</numFmts>)", xml, re.S)
            if block:
                count = len(_NUMFMT.findall(block.group(2))) + len(self._new_formats)
                xml = (xml[: block.start()] + set_attr(block.group(1), "count", str(count)) + block.group(2)
                       + added + block.group(3) + xml[block.end():])
            else:
                root = re.search(r"<styleSheet\b[^>]*>", xml)
                if root is None:
                    raise TemplateError("the template's styles part has no <styleSheet> element")
                xml = (xml[: root.end()] + f'<numFmts count="{len(self._new_formats)}">{added}</numFmts>'
                       + xml[root.end():])
        return xml
