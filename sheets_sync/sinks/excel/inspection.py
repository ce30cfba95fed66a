"""Describe a template (`inspect_template`) and check a tab's columns against it (for `validate`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sheets_sync.errors import TemplateError
from sheets_sync.sinks.excel.layout import DataArea, SheetContent, header_area, read_sheet, table_area
from sheets_sync.sinks.excel.model import TemplateInfo, TemplateTable
from sheets_sync.sinks.excel.package import TablePart, TemplatePackage, parse_ref

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm")


def open_template(path: Path) -> TemplatePackage:
    """Open a template package, refusing formats that cannot be filled."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise TemplateError(f"template {path.name}: only .xlsx and .xlsm templates can be filled")
    return TemplatePackage(path)


def read_contents(pkg: TemplatePackage) -> dict[str, SheetContent]:
    """Read every worksheet of a template, keyed by sheet name."""
    return {sheet.name: read_sheet(pkg, sheet) for sheet in pkg.sheets}


def inspect_template(path: Path) -> TemplateInfo:
    """Describe what a template offers to fill.

    Raises:
        TemplateError: the file is missing, not a workbook, or breaks the template contract.
    """
    path = Path(path)
    pkg = open_template(path)
    try:
        contents = read_contents(pkg)
        tables: list[TemplateTable] = []
        header_rows: dict[str, tuple[str, ...]] = {}
        formula_headers: dict[str, tuple[str, ...]] = {}
        header_problems: dict[str, str] = {}
        sample_rows: dict[str, int] = {}
        # Inspection describes; it does not judge. A block that breaks the contract is still listed
        # (write_workbook and check_template report why it cannot be filled).
        for name, content in contents.items():
            for table in content.sheet.tables:
                try:
                    calculated = table_area(content, table).calculated
                except TemplateError:
                    calculated = table.formula_columns
                tables.append(TemplateTable(table.name, name, table.ref, table.columns, calculated,
                                            _table_sample_rows(content, table)))
            if not content.sheet.tables:
                try:
                    area = header_area(content, pkg.shared_strings)
                except TemplateError as exc:
                    area = None
                    header_problems[name] = exc.message
                header_rows[name] = area.columns if area else ()
                formula_headers[name] = area.calculated if area else ()
                if area is not None and len(area.columns) >= 2 and not any(
                        c.formula is not None for row in content.rows for c in row.cells):
                    count = _value_rows(content, area.header_row + 1, area.old_last_row)
                    if count:
                        sample_rows[name] = count
        return TemplateInfo(path, tuple(contents), tuple(tables), header_rows, formula_headers, header_problems,
                            sample_rows)
    finally:
        pkg.close()


def _value_rows(content: SheetContent, first: int, last: int, first_col: int = 1, last_col: int = 16_384) -> int:
    """Count rows first..last holding a value (not only formulas or styled blanks) in columns first_col..last_col."""
    return sum(1 for row in content.rows if first <= row.number <= last and any(
        not c.is_blank and c.formula is None and first_col <= c.column <= last_col for c in row.cells))


def _table_sample_rows(content: SheetContent, table: TablePart) -> int:
    c1, r1, c2, r2 = parse_ref(table.ref)
    return _value_rows(content, r1 + table.header_rows, r2 - table.totals_rows, c1, c2)


STATIC_PREFIX = "static"


def unfilled_template_parts(info: TemplateInfo, filled: Sequence[tuple[str, str | None]]) -> list[str]:
    """Warnings for template data no report replaces: it would pass for real data in every refresh.

    `filled` lists (sheet, table or None) of every report tab that fills this template. Tables whose
    name starts with "static" (any case) hold data kept on purpose and are not reported.
    """
    filled_tables: set[str] = set()
    filled_sheets: set[str] = set()
    for sheet, table in filled:
        filled_sheets.add(sheet.casefold())
        on_sheet = [t for t in info.tables if t.sheet.casefold() == sheet.casefold()]
        if table is not None:
            filled_tables.add(table.casefold())
        elif len(on_sheet) == 1:
            filled_tables.add(on_sheet[0].name.casefold())
    warnings = []
    for kept in info.tables:
        if kept.name.casefold() in filled_tables or kept.name.casefold().startswith(STATIC_PREFIX):
            continue
        if kept.sample_rows:
            warnings.append(f"table {kept.name!r} on sheet {kept.sheet!r} keeps the template's {kept.sample_rows} "
                            "data row(s): no report fills it, so they would pass for real data (fill it with a "
                            "report, empty it, or name the table static… to keep it on purpose)")
    for sheet, count in info.sheet_sample_rows.items():
        if sheet.casefold() not in filled_sheets:
            warnings.append(f"sheet {sheet!r} keeps the template's {count} data row(s) under its header: no report "
                            "fills it, so they would pass for real data (fill it with a report, empty it, or put "
                            "the data in a table named static… to keep it on purpose)")
    return warnings


def select_area(contents: dict[str, SheetContent], shared: list[str], sheet: str,
                excel_table: str | None) -> DataArea:
    """Return the data area a tab fills; raise TemplateError when the template has no fitting place."""
    content = next((c for n, c in contents.items() if n.casefold() == sheet.casefold()), None)
    if content is None:
        raise TemplateError(f"the template has no sheet {sheet!r} (it has: {', '.join(contents)})")
    tables = content.sheet.tables
    if excel_table is not None:
        table = next((t for t in tables if t.name.casefold() == excel_table.casefold()), None)
        if table is None:
            elsewhere = [n for n, c in contents.items() for t in c.sheet.tables
                         if t.name.casefold() == excel_table.casefold()]
            hint = f" (it is on sheet {elsewhere[0]!r})" if elsewhere else ""
            raise TemplateError(f"sheet {sheet!r} has no table {excel_table!r}{hint}")
        return table_area(content, table)
    if len(tables) > 1:
        raise TemplateError(f"sheet {sheet!r} has {len(tables)} tables ({', '.join(t.name for t in tables)}); "
                            "name the one to fill with the report's table: key")
    if tables:
        return table_area(content, tables[0])
    area = header_area(content, shared)
    if area is None:
        raise TemplateError(f"sheet {sheet!r} has neither a table nor a header row to fill")
    return area


def _column_key(name: str) -> str:
    return name.strip().casefold()


def match_columns(area_columns: Sequence[str], calculated: Sequence[str], headers: Sequence[str],
                  label: str, optional: Sequence[int] = ()) -> dict[int, int]:
    """Map each area column position to the report column that fills it (calculated columns unmapped).

    Report columns at the `optional` indices (fields the API added) may be left out without an error.
    Names match ignoring case and spaces around them: a stray space typed after "Impr." in a template
    header is invisible in Excel, so it must not break the match.

    Raises:
        TemplateError: listing both sets when they do not match.
    """
    by_name: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _column_key(header)
        if key in by_name:
            raise TemplateError(f"{label}: the report has two columns named {header!r}")
        by_name[key] = index
    calc = {_column_key(c) for c in calculated}
    mapping: dict[int, int] = {}
    unfilled = []
    for position, name in enumerate(area_columns):
        source = by_name.get(_column_key(name))
        if source is not None:
            mapping[position] = source
        elif _column_key(name) not in calc:
            unfilled.append(name)
    mapped = set(mapping.values())
    extra = [h for i, h in enumerate(headers) if i not in mapped and i not in set(optional)]
    if unfilled or extra:
        details = []
        if extra:
            details.append(f"not in the template: {', '.join(extra)}")
        if unfilled:
            details.append(f"no report column for: {', '.join(unfilled)}")
        raise TemplateError(
            f"{label}: columns do not match ({'; '.join(details)}). "
            f"Template columns: {', '.join(area_columns)}. Report columns: {', '.join(headers)}")
    return mapping


def template_problems(info: TemplateInfo, sheet: str, headers: Sequence[str],
                      excel_table: str | None = None) -> list[str]:
    """Return the problems `validate` reports for one tab against an inspected template (empty if fine)."""
    sheet_name = next((s for s in info.sheets if s.casefold() == sheet.casefold()), None)
    if sheet_name is None:
        return [f"the template has no sheet {sheet!r} (it has: {', '.join(info.sheets)})"]
    tables = [t for t in info.tables if t.sheet == sheet_name]
    if excel_table is not None:
        tables = [t for t in tables if t.name.casefold() == excel_table.casefold()]
        if not tables:
            return [f"sheet {sheet!r} has no table {excel_table!r}"]
    if len(tables) > 1:
        return [f"sheet {sheet!r} has {len(tables)} tables; name the one to fill with the report's table: key"]
    if tables:
        columns, calculated, label = tables[0].columns, tables[0].calculated_columns, f"table {tables[0].name!r}"
    else:
        columns, label = info.header_rows.get(sheet_name, ()), f"sheet {sheet_name!r}"
        calculated = info.header_formula_columns.get(sheet_name, ())
        if not columns and sheet_name in info.header_problems:
            return [info.header_problems[sheet_name]]
        if not columns:
            return [f"sheet {sheet!r} has neither a table nor a header row to fill"]
    try:
        match_columns(columns, calculated, headers, label)
    except TemplateError as exc:
        return [exc.message]
    return []
