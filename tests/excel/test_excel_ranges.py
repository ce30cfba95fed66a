"""Range surgery: which A1 ranges follow the data, in names, sqrefs, charts and pivot caches."""

from __future__ import annotations

import pytest

from sheets_sync.errors import TemplateError
from sheets_sync.sinks.excel.ranges import RowShift, shift_local, shift_qualified
from sheets_sync.sinks.excel.sheetxml import parse_cell
from sheets_sync.sinks.excel.surgery import (
    resize_table,
    strip_cached_values,
    update_chart,
    update_pivot_cache,
    update_workbook,
)

SHIFT = RowShift(first_data_row=2, old_last=6, new_last=100)


@pytest.mark.parametrize(("before", "after"), [
    ("C2:C6", "C2:C100"),                 # a data column
    ("$A$1:$J$6", "$A$1:$J$100"),         # header and data (print area)
    ("C2:C6 E2:E6", "C2:C100 E2:E100"),   # several areas in one sqref
    ("E3:E6", "E3:E6"),                   # starts below the first data row: not the whole column
    ("C2:C5", "C2:C5"),                   # ends before the last row
    ("B6", "B6"),                         # a single cell never becomes a range
    ("A1:A1", "A1:A1"),
])
def test_local_ranges_follow_only_when_they_span_the_data(before: str, after: str) -> None:
    """Only ranges from at or above the first data row down to the old last row are moved."""
    assert shift_local(before, SHIFT) == after


def test_qualified_ranges_follow_only_on_filled_sheets() -> None:
    """Sheet-qualified ranges move on filled sheets (quoted or not, any case) and stay elsewhere."""
    text = "Campaigns!$B$2:$B$6,'My Data'!A2:A6,(Other!A2:A6),CAMPAIGNS!A1:B6,'It''s'!A2:A6"
    shifts = {"campaigns": SHIFT, "my data": SHIFT, "it's": SHIFT}
    assert shift_qualified(text, shifts) == (
        "Campaigns!$B$2:$B$100,'My Data'!A2:A100,(Other!A2:A6),CAMPAIGNS!A1:B100,'It''s'!A2:A100")


def test_a_shrinking_table_pulls_ranges_up() -> None:
    """When the new data is shorter than the sample, ranges end at the new (earlier) last row."""
    assert shift_local("C2:C6", RowShift(2, 6, 3)) == "C2:C3"


def test_workbook_names_move_and_full_recalc_is_requested() -> None:
    """Defined names over the data move; calcPr gets fullCalcOnLoad, or is added in schema order."""
    xml = ('<workbook><sheets/><definedNames><definedName name="Qty">Data!$B$2:$B$6</definedName>'
           '</definedNames><pivotCaches/></workbook>')
    out = update_workbook(xml, {"data": SHIFT})
    assert "Data!$B$2:$B$100" in out
    assert '</definedNames><calcPr fullCalcOnLoad="1"/><pivotCaches/>' in out
    assert 'calcPr calcId="1" fullCalcOnLoad="1"' in update_workbook('<workbook><calcPr calcId="1"/></workbook>', {})


def test_chart_series_move_and_lose_their_caches() -> None:
    """A moved series drops its cached points; a series on another sheet keeps its cache."""
    xml = ('<c:ser><c:val><c:numRef><c:f>Data!$C$2:$C$6</c:f><c:numCache><c:ptCount val="5"/></c:numCache>'
           '</c:numRef></c:val></c:ser><c:ser><c:val><c:numRef><c:f>Other!$C$2:$C$6</c:f><c:numCache>'
           '<c:ptCount val="5"/></c:numCache></c:numRef></c:val></c:ser>')
    out = update_chart(xml, {"data": SHIFT})
    assert "<c:numRef><c:f>Data!$C$2:$C$100</c:f></c:numRef>" in out
    assert "<c:f>Other!$C$2:$C$6</c:f><c:numCache>" in out


@pytest.mark.parametrize(("source", "moved"), [
    ('<worksheetSource ref="A1:C6" sheet="Data"/>', '<worksheetSource ref="A1:C100" sheet="Data"/>'),
    ('<worksheetSource name="tblData"/>', '<worksheetSource name="tblData"/>'),
])
def test_pivot_caches_over_filled_data_refresh_on_open(source: str, moved: str) -> None:
    """A pivot cache over a filled sheet or table is marked refreshOnLoad and its A1 source range moves."""
    xml = (f'<pivotCacheDefinition r:id="rId1"><cacheSource type="worksheet">{source}</cacheSource>'
           '</pivotCacheDefinition>')
    out = update_pivot_cache(xml, {"data": SHIFT}, {"tbldata"})
    assert '<pivotCacheDefinition r:id="rId1" refreshOnLoad="1">' in out and moved in out


def test_pivot_caches_over_other_data_are_untouched() -> None:
    """A pivot cache over a sheet that was not filled stays byte for byte."""
    xml = ('<pivotCacheDefinition><cacheSource><worksheetSource ref="A1:C6" sheet="Other"/></cacheSource>'
           '</pivotCacheDefinition>')
    assert update_pivot_cache(xml, {"data": SHIFT}, {"tbldata"}) == xml


def test_cached_values_are_stripped_only_from_formula_cells() -> None:
    """Formula cells lose <v> and their cached type; value cells keep theirs."""
    xml = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/><c r="C1" t="str"><f>"a"&amp;B1</f><v>a</v></c>'
           '<c r="D1"><v>5</v></c></row>')
    assert strip_cached_values(xml) == ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/><c r="C1">'
                                        '<f>"a"&amp;B1</f></c><c r="D1"><v>5</v></c></row>')


def test_resize_table_sets_ref_autofilter_and_sort_range() -> None:
    """The table's ref, its own autoFilter ref and its sortState (data rows only) all follow."""
    xml = '<table ref="A1:C6"><autoFilter ref="A1:C6"/><sortState ref="A2:C6"/></table>'
    expected = '<table ref="A1:C100"><autoFilter ref="A1:C100"/><sortState ref="A2:C100"/></table>'
    assert resize_table(xml, "A1:C100") == expected


def test_a_table_part_without_its_root_element_is_a_template_error() -> None:
    """Resizing a table part that has no <table> element reports a broken template instead of crashing."""
    with pytest.raises(TemplateError, match="no <table> element"):
        resize_table("<notATable/>", "A1:C100")


def test_a_malformed_cell_reference_is_a_template_error() -> None:
    """A template cell whose `r` is not a reference such as B7 is reported as a template problem, naming it."""
    with pytest.raises(TemplateError, match="'7B'"):
        parse_cell('<c r="7B"><v>1</v></c>', row_number=7, position=2)
    assert parse_cell('<c r="B7"><v>1</v></c>', row_number=7, position=1).column == 2
