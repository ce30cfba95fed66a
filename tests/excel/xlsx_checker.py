"""A structural checker for produced workbooks: what strict readers and LibreOffice do not catch.

Checks (docs/excel-templates.md#for-developers): every XML part well-formed; rows ascending, cells
ascending and inside their row; style and shared-string indices in range; table header cells equal
the table's column names and the table's `autoFilter ref` equals its `ref`; `<dimension>` covers
the data; every relationship target exists and every part has a content type; no calcChain part
left without its relationship (and vice versa).
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _split(ref: str) -> tuple[int, int]:
    m = _REF.match(ref.replace("$", ""))
    if m is None:
        raise ValueError(ref)
    return _col(m.group(1)), int(m.group(2))


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str | None]]:
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    if path not in zf.namelist():
        return {}
    out = {}
    for rel in ET.fromstring(zf.read(path)).iter(f"{PKG_REL}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            resolved = None
        elif target.startswith("/"):
            resolved = target[1:]
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], resolved)
    return out


def _cell_text(cell: ET.Element, shared: list[str]) -> str | None:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    v = cell.find(f"{MAIN}v")
    if v is None:
        return None
    if kind == "s":
        index = int(v.text)
        return shared[index] if index < len(shared) else None
    return v.text


def check_workbook(path: Path) -> list[str]:
    """Return every structural problem found in the workbook at `path` (empty when sound)."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for name in sorted(names):
            if name.endswith((".xml", ".rels", ".vml")):
                try:
                    for _ in ET.iterparse(zf.open(name)):
                        pass
                except ET.ParseError as exc:
                    problems.append(f"{name}: not well-formed XML ({exc})")
        if problems:
            return problems
        problems += _check_package(zf, names)
        workbook = next((t for _, (kind, t) in _rels(zf, "").items() if kind == "officeDocument"), None)
        if workbook is None:
            return problems + ["no officeDocument relationship"]
        wb_rels = _rels(zf, workbook)
        shared: list[str] = []
        style_count = 0
        for kind, target in wb_rels.values():
            if kind == "sharedStrings":
                shared = ["".join(t.text or "" for t in si.iter(f"{MAIN}t"))
                          for si in ET.fromstring(zf.read(target)).iter(f"{MAIN}si")]
            elif kind == "styles":
                xfs = ET.fromstring(zf.read(target)).find(f"{MAIN}cellXfs")
                style_count = len(xfs) if xfs is not None else 0
                if xfs is not None and xfs.get("count") not in (None, str(len(xfs))):
                    problems.append(f"{target}: cellXfs count {xfs.get('count')} but {len(xfs)} entries")
        calc_rel = any(kind == "calcChain" for kind, _ in wb_rels.values())
        if calc_rel != ("xl/calcChain.xml" in names):
            problems.append("calcChain part and its workbook relationship disagree")
        root = ET.fromstring(zf.read(workbook))
        for sheet in root.iter(f"{MAIN}sheet"):
            kind, target = wb_rels.get(sheet.get(f"{REL}id"), ("", None))
            if kind == "worksheet" and target in names:
                problems += _check_sheet(zf, target, sheet.get("name", ""), shared, style_count)
    return problems


def _check_package(zf: zipfile.ZipFile, names: set[str]) -> list[str]:
    problems = []
    types = ET.fromstring(zf.read("[Content_Types].xml"))
    defaults = {d.get("Extension", "").lower() for d in types.iter(f"{CT}Default")}
    overrides = {o.get("PartName", "").lstrip("/") for o in types.iter(f"{CT}Override")}
    for name in names:
        if name.endswith("/") or name == "[Content_Types].xml":
            continue
        if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
            problems.append(f"{name}: no content type")
    for part in overrides - names:
        problems.append(f"[Content_Types].xml: override for missing part {part}")
    for name in names:
        if "_rels/" in name and name.endswith(".rels"):
            folder, rels_name = posixpath.split(name)
            source = posixpath.join(posixpath.dirname(folder), rels_name[: -len(".rels")])
            for rid, (kind, target) in _rels(zf, source).items():
                if target is not None and target not in names:
                    problems.append(f"{name}: relationship {rid} ({kind}) targets missing part {target}")
    return problems


def _check_sheet(zf: zipfile.ZipFile, part: str, sheet: str, shared: list[str], style_count: int) -> list[str]:
    problems: list[str] = []
    last_row, max_col, max_row = 0, 0, 0
    header_rows: dict[int, dict[int, str | None]] = {}
    tables = [t for kind, t in _rels(zf, part).values() if kind == "table" and t in zf.namelist()]
    table_roots = [ET.fromstring(zf.read(t)) for t in tables]
    wanted_rows = {_split(r.get("ref").split(":")[0])[1] for r in table_roots}
    dimension = None
    for _, elem in ET.iterparse(zf.open(part)):
        if elem.tag == f"{MAIN}dimension":
            dimension = elem.get("ref")
        elif elem.tag == f"{MAIN}row":
            number = int(elem.get("r"))
            if number <= last_row:
                problems.append(f"{sheet}: row {number} after row {last_row}")
            last_row = number
            last_col = 0
            for cell in elem.iter(f"{MAIN}c"):
                col, row = _split(cell.get("r"))
                if row != number or col <= last_col:
                    problems.append(f"{sheet}: cell {cell.get('r')} out of order in row {number}")
                last_col = col
                style = int(cell.get("s", "0"))
                if style >= max(style_count, 1):
                    problems.append(f"{sheet}: cell {cell.get('r')} style {style} >= cellXfs count {style_count}")
                if cell.get("t") == "s":
                    v = cell.find(f"{MAIN}v")
                    if v is None or not v.text or int(v.text) >= len(shared):
                        problems.append(f"{sheet}: cell {cell.get('r')} shared string index out of range")
                if cell.get("t") == "inlineStr" and cell.find(f"{MAIN}f") is not None:
                    problems.append(f"{sheet}: text cell {cell.get('r')} carries a formula")
                if number in wanted_rows:
                    header_rows.setdefault(number, {})[col] = _cell_text(cell, shared)
                max_col = max(max_col, col)
            max_row = max(max_row, number)
            elem.clear()
    if dimension and max_row:
        end = dimension.split(":")[-1]
        col, row = _split(end)
        if row < max_row or col < max_col:
            problems.append(f"{sheet}: dimension {dimension} does not cover data to row {max_row}, column {max_col}")
    for name, root in zip(tables, table_roots, strict=True):
        problems += _check_table(name, root, header_rows)
    return problems


def _check_table(part: str, root: ET.Element, header_rows: dict[int, dict[int, str | None]]) -> list[str]:
    problems = []
    ref = root.get("ref", "")
    auto = root.find(f"{MAIN}autoFilter")
    if int(root.get("totalsRowCount", "0")) == 0 and auto is not None and auto.get("ref") != ref:
        problems.append(f"{part}: autoFilter ref {auto.get('ref')} != table ref {ref}")
    first, _ = ref.split(":")
    col, row = _split(first)
    names = [c.get("name") for c in root.iter(f"{MAIN}tableColumn")]
    cells = header_rows.get(row, {})
    for offset, name in enumerate(names):
        if cells.get(col + offset) != name:
            problems.append(f"{part}: header cell {offset + 1} is {cells.get(col + offset)!r}, column is {name!r}")
    return problems


def assert_sound(path: Path) -> None:
    """Fail with every structural problem of the workbook at `path`."""
    problems = check_workbook(path)
    assert not problems, "\n".join(problems)
