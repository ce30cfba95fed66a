"""Read a template package: its parts, relationships, sheets, tables and shared strings."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sheets_sync.errors import TemplateError
from sheets_sync.sinks.excel.cells import column_index

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOCUMENT = NS_REL + "/officeDocument"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_TABLE = NS_REL + "/table"
REL_SHARED_STRINGS = NS_REL + "/sharedStrings"
REL_STYLES = NS_REL + "/styles"
REL_CALC_CHAIN = NS_REL + "/calcChain"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


@dataclass(frozen=True)
class Relationship:
    """One relationship: id, type and the resolved zip path of its target (None when external)."""

    id: str
    type: str
    target: str | None


@dataclass(frozen=True)
class TablePart:
    """An Excel Table as stored in a table part."""

    part: str
    name: str
    ref: str
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]
    formula_columns: tuple[str, ...]   # columns with a calculatedColumnFormula


@dataclass(frozen=True)
class SheetPart:
    """A worksheet of the template: its name, zip path and tables."""

    name: str
    part: str
    tables: tuple[TablePart, ...]


def rels_path(part: str) -> str:
    """Return the zip path of the relationships part that belongs to `part`."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def parse_ref(ref: str) -> tuple[int, int, int, int]:
    """Parse `A1` or `A1:C9` (with or without `$`) into (first col, first row, last col, last row)."""
    m = _REF.match(ref.strip())
    if m is None:
        raise ValueError(f"not a cell range: {ref!r}")
    c1, r1 = column_index(m.group(1)), int(m.group(2))
    c2 = column_index(m.group(3)) if m.group(3) else c1
    r2 = int(m.group(4)) if m.group(4) else r1
    return c1, r1, c2, r2


class TemplatePackage:
    """Read-only access to a template's zip parts, parsed lazily."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise TemplateError(f"template {str(path)!r} does not exist") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise TemplateError(f"template {str(path)!r} is not an .xlsx/.xlsm workbook: {exc}") from None
        self.names = self.zip.namelist()
        self._names = set(self.names)

    def close(self) -> None:
        """Close the underlying zip file."""
        self.zip.close()

    def has(self, part: str) -> bool:
        """Tell whether the package holds `part`."""
        return part in self._names

    def read(self, part: str) -> bytes:
        """Return a part's bytes."""
        return self.zip.read(part)

    def text(self, part: str) -> str:
        """Return a part decoded as UTF-8 text."""
        return self.zip.read(part).decode("utf-8")

    def xml(self, part: str) -> ET.Element:
        """Return a part parsed as XML."""
        try:
            # The template is the user's own file; ElementTree resolves no external entity and expat
            # (>= 2.4.1, bundled with Python 3.11) caps entity expansion.
            return ET.fromstring(self.zip.read(part))  # noqa: S314 - see the comment above
        except (KeyError, ET.ParseError) as exc:
            raise TemplateError(f"template {self.path.name}: part {part} is missing or not XML ({exc})") from None

    def relationships(self, part: str) -> list[Relationship]:
        """Return the relationships of `part` with targets resolved to zip paths."""
        path = rels_path(part)
        if not self.has(path):
            return []
        rels = []
        base = posixpath.dirname(part)
        for rel in self.xml(path).findall(f"{{{NS_PKG_REL}}}Relationship"):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                resolved = None
            elif target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(base, target))
            rels.append(Relationship(rel.get("Id", ""), rel.get("Type", ""), resolved))
        return rels

    @cached_property
    def workbook_part(self) -> str:
        """The zip path of the workbook part (normally `xl/workbook.xml`)."""
        for rel in self.relationships(""):
            if rel.type == REL_OFFICE_DOCUMENT and rel.target:
                return rel.target
        raise TemplateError(f"template {self.path.name} has no workbook part")

    def workbook_target(self, rel_type: str) -> str | None:
        """Return the first workbook relationship target of `rel_type`."""
        return next((r.target for r in self.relationships(self.workbook_part) if r.type == rel_type), None)

    @cached_property
    def sheets(self) -> tuple[SheetPart, ...]:
        """The workbook's worksheets in tab order (chartsheets and dialog sheets are skipped)."""
        targets = {r.id: r for r in self.relationships(self.workbook_part)}
        out = []
        for sheet in self.xml(self.workbook_part).iter(f"{{{NS_MAIN}}}sheet"):
            rel = targets.get(sheet.get(f"{{{NS_REL}}}id", ""))
            if rel is None or rel.type != REL_WORKSHEET or rel.target is None or not self.has(rel.target):
                continue
            tables = tuple(self._table(r.target) for r in self.relationships(rel.target)
                           if r.type == REL_TABLE and r.target)
            out.append(SheetPart(sheet.get("name", ""), rel.target, tables))
        return tuple(out)

    @cached_property
    def shared_strings(self) -> list[str]:
        """The shared string table (rich text runs joined)."""
        part = self.workbook_target(REL_SHARED_STRINGS)
        if part is None or not self.has(part):
            return []
        strings = []
        for si in self.xml(part).findall(f"{{{NS_MAIN}}}si"):
            # Plain text or rich-text runs; phonetic runs (rPh) are reading aids, not displayed text.
            texts = [t.text or "" for t in si.findall(f"{{{NS_MAIN}}}t")]
            texts += [t.text or "" for run in si.findall(f"{{{NS_MAIN}}}r") for t in run.findall(f"{{{NS_MAIN}}}t")]
            strings.append("".join(texts))
        return strings

    def _table(self, part: str) -> TablePart:
        root = self.xml(part)
        columns, formulas = [], []
        for col in root.iter(f"{{{NS_MAIN}}}tableColumn"):
            columns.append(col.get("name", ""))
            if col.find(f"{{{NS_MAIN}}}calculatedColumnFormula") is not None:
                formulas.append(col.get("name", ""))
        return TablePart(part, root.get("displayName") or root.get("name") or "", root.get("ref", ""),
                         int(root.get("headerRowCount", "1")), int(root.get("totalsRowCount", "0")),
                         tuple(columns), tuple(formulas))
