"""Filling templates: which block a tab fills, column matching, calculated columns and contract errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from sheets_sync.errors import TemplateError
from sheets_sync.report import Column, ColumnKind
from sheets_sync.sinks.excel import check_template, inspect_template, template_problems, write_workbook

from excel_helpers import (
    CAMPAIGN_COLUMNS,
    DEMO_TEMPLATE,
    NOW,
    assert_data,
    calamine_rows,
    demo_tabs,
    make_tab,
    openpyxl_rows,
)
from xlsx_checker import assert_sound

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
K = ColumnKind
TWO = [("Name", K.TEXT), ("Posts", K.INTEGER)]


def _template(path: Path, build) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    build(wb)
    wb.close()
    return path


def _table(ws, name: str, headers: list[str], first_row: int = 0, formula: dict | None = None, totals=False):
    columns = [{"header": h} for h in headers] + ([formula] if formula else [])
    ws.add_table(first_row, 0, first_row + 2, len(columns) - 1,
                 {"name": name, "columns": columns, "total_row": totals})


class TestChoosingTheBlock:
    def test_the_only_table_on_the_named_sheet_is_filled(self, tmp_path: Path) -> None:
        """Without excel_table, the single table on the tab's sheet receives the rows."""
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData", ["Name", "Posts"]))
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [["a", 1], ["b", 2]])], template=tpl)
        assert_sound(result.path)
        assert_data(result.path, "Data", [["a", 1], ["b", 2]])

    def test_a_named_table_is_chosen_among_several(self, tmp_path: Path) -> None:
        """excel_table picks one of two tables (case-insensitively); the table above it stays as it was."""
        def build(wb):
            ws = wb.add_worksheet("Data")
            ws.add_table(0, 0, 2, 1, {"name": "Top", "columns": [{"header": "Name"}, {"header": "Posts"}],
                                      "data": [["t1", 1], ["t2", 2]]})
            ws.add_table(4, 0, 6, 1, {"name": "Bottom", "columns": [{"header": "Name"}, {"header": "Posts"}]})
        tpl = _template(tmp_path / "t.xlsx", build)
        with pytest.raises(TemplateError, match="2 tables"):
            write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [["a", 1]])], template=tpl)
        with pytest.raises(TemplateError, match="below the data"):
            write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [["a", 1]], excel_table="top")], template=tpl)
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [["a", 1], ["b", 2], ["c", 3]],
                                                               excel_table="BOTTOM")], template=tpl)
        assert_sound(result.path)
        assert calamine_rows(result.path, "Data")[:8] == [["Name", "Posts"], ["t1", 1], ["t2", 2], ["", ""],
                                                          ["Name", "Posts"], ["a", 1], ["b", 2], ["c", 3]]

    def test_values_beside_the_data_rows_are_refused(self, tmp_path: Path) -> None:
        """A value next to the table's data rows would be lost on refresh, so the template is refused."""
        def build(wb):
            ws = wb.add_worksheet("Data")
            _table(ws, "tblData", ["Name", "Posts"])
            ws.write("D3", "side note")
        tpl = _template(tmp_path / "t.xlsx", build)
        with pytest.raises(TemplateError, match="D3 beside the data holds a value"):
            write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [])], template=tpl)

    def test_a_sheet_without_a_table_fills_under_its_header_row(self, tmp_path: Path) -> None:
        """On a sheet with only a header row, rows go below it and a formula column beside them is extended."""
        def build(wb):
            ws = wb.add_worksheet("Data")
            ws.write_row(0, 0, ["Name", "Posts", "Double"])
            ws.write_row(1, 0, ["sample", 3])
            ws.write_formula(1, 2, "=B2*2")
            ws.autofilter("A1:C2")
        tpl = _template(tmp_path / "t.xlsx", build)
        info = inspect_template(tpl)
        assert info.header_rows["Data"] == ("Name", "Posts", "Double")
        assert info.header_formula_columns["Data"] == ("Double",)
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("data", TWO, [["a", 1], ["b", 2], ["c", 3]])],
                                template=tpl)
        assert_sound(result.path)
        assert openpyxl_rows(result.path, "Data")[3] == ["c", 3, "=B4*2"]
        with zipfile.ZipFile(result.path) as zf:
            assert '<autoFilter ref="A1:C4"/>' in zf.read("xl/worksheets/sheet1.xml").decode()

    def test_a_formula_in_the_header_row_is_named_as_the_problem(self, tmp_path: Path) -> None:
        """A formula cell next to a header is reported as that cell holding a formula (not "an empty cell")."""
        def build(wb):
            ws = wb.add_worksheet("Data")
            ws.write_row(0, 0, ["Name", "Posts"])
            ws.write_formula(0, 2, '="Updated "&TEXT(TODAY(),"yyyy-mm-dd")')
            ws.write_row(1, 0, ["sample", 3])
        tpl = _template(tmp_path / "t.xlsx", build)
        expected = "header row 1: cell C1 holds a formula (=\"Updated \"&TEXT"
        with pytest.raises(TemplateError) as caught:
            check_template(tpl, [make_tab("Data", TWO, [])])
        assert expected in caught.value.message and "empty cell" not in caught.value.message
        problems = template_problems(inspect_template(tpl), "Data", ["Name", "Posts"])
        assert len(problems) == 1 and expected in problems[0] and "header cells must be text" in problems[0]

    def test_title_rows_above_the_table_are_kept(self, tmp_path: Path) -> None:
        """Rows above a table's header (titles, notes) stay where they are."""
        def build(wb):
            ws = wb.add_worksheet("Data")
            ws.write("A1", "Weekly report")
            _table(ws, "tblData", ["Name", "Posts"], first_row=2)
        tpl = _template(tmp_path / "t.xlsx", build)
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [["a", 1]])], template=tpl)
        rows = calamine_rows(result.path, "Data")
        assert rows[0][0] == "Weekly report" and rows[2] == ["Name", "Posts"] and rows[3] == ["a", 1]
        assert_sound(result.path)

    def test_a_sheet_the_config_does_not_name_is_left_untouched(self, tmp_path: Path) -> None:
        """Filling one sheet leaves another data sheet's part byte-identical."""
        def build(wb):
            _table(wb.add_worksheet("Data"), "tblData", ["Name", "Posts"])
            _table(wb.add_worksheet("Other"), "tblOther", ["Name", "Posts"])
        tpl = _template(tmp_path / "t.xlsx", build)
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [["a", 1]])], template=tpl)
        with zipfile.ZipFile(tpl) as a, zipfile.ZipFile(result.path) as b:
            assert a.read("xl/worksheets/sheet2.xml") == b.read("xl/worksheets/sheet2.xml")
            assert a.read("xl/tables/table2.xml") == b.read("xl/tables/table2.xml")


class TestMatching:
    def test_columns_match_by_header_case_insensitively_in_table_order(self, tmp_path: Path) -> None:
        """Report columns fill table columns with the same header, whatever their order or case."""
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData", ["Posts", "Name"]))
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", [("NAME", K.TEXT), ("posts", K.INTEGER)],
                                                               [["a", 1]])], template=tpl)
        assert calamine_rows(result.path, "Data") == [["Posts", "Name"], [1, "a"]]

    def test_a_stray_space_around_a_template_header_still_matches(self, tmp_path: Path) -> None:
        """A header typed "Posts " (the space invisible in Excel) takes the report's "Posts" column."""
        headers = ["Posts ", " Name"]
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData", headers))
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", [("Name", K.TEXT), ("Posts", K.INTEGER)],
                                                               [["a", 1]])], template=tpl)
        assert calamine_rows(result.path, "Data") == [["Posts ", " Name"], [1, "a"]]

    def test_a_mismatch_lists_both_sets_of_columns(self, tmp_path: Path) -> None:
        """A report column missing from the table (or the reverse) is a TemplateError naming both sets."""
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData", ["Name", "Reach"]))
        with pytest.raises(TemplateError) as err:
            write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [["a", 1]])], template=tpl)
        message = err.value.message
        assert "not in the template: Posts" in message and "no report column for: Reach" in message
        assert "Template columns: Name, Reach" in message and "Report columns: Name, Posts" in message
        assert "\n" not in message
        assert not (tmp_path / "o.xlsx").exists()

    def test_fields_the_api_added_are_dropped_when_the_template_has_no_column(self, tmp_path: Path) -> None:
        """Pass-through columns missing from the table are left out with one warning; known columns fill."""
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData", ["Name", "Posts"]))
        columns = [Column("name", "Name", K.TEXT), Column("zzExtra", "zzExtra", K.TEXT, passthrough=True),
                   Column("posts", "Posts", K.INTEGER),
                   Column("unknownField.x", "unknownField.x", K.TEXT, passthrough=True)]
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", columns, [["a", "x", 1, "1, 2"],
                                                                                  ["b", "y", 2, None]])], template=tpl)
        assert calamine_rows(result.path, "Data") == [["Name", "Posts"], ["a", 1], ["b", 2]]
        assert_data(result.path, "Data", [["a", 1], ["b", 2]])
        assert [w for w in result.warnings if "ignored fields" in w] == [
            "sheet 'Data': ignored fields the API added that the template has no column for: zzExtra, unknownField.x"]

    def test_a_pass_through_column_the_template_has_is_filled(self, tmp_path: Path) -> None:
        """A field the API added that the table does have a column for is filled, with no warning."""
        tpl = _template(tmp_path / "t.xlsx",
                        lambda wb: _table(wb.add_worksheet("Data"), "tblData", ["Name", "zzExtra"]))
        columns = [Column("name", "Name", K.TEXT), Column("zzExtra", "zzExtra", K.TEXT, passthrough=True)]
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", columns, [["a", "x"]])], template=tpl)
        assert calamine_rows(result.path, "Data") == [["Name", "zzExtra"], ["a", "x"]]
        assert not [w for w in result.warnings if "ignored fields" in w]

    def test_known_columns_must_still_match_beside_pass_through_ones(self, tmp_path: Path) -> None:
        """A catalogue column missing from the table is still an error; pass-through ones are not listed."""
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData", ["Name"]))
        columns = [Column("name", "Name", K.TEXT), Column("posts", "Posts", K.INTEGER),
                   Column("zzExtra", "zzExtra", K.TEXT, passthrough=True)]
        with pytest.raises(TemplateError) as err:
            write_workbook(tmp_path / "o.xlsx", [make_tab("Data", columns, [["a", 1, "x"]])], template=tpl)
        assert "not in the template: Posts)" in err.value.message
        assert not (tmp_path / "o.xlsx").exists()

    def test_calculated_columns_are_kept_and_extended(self, tmp_path: Path) -> None:
        """A table column holding a formula needs no report column and gets its formula on every row."""
        formula = {"header": "Double", "formula": "=tblData[[#This Row],[Posts]]*2"}
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData",
                                                                  ["Name", "Posts"], formula=formula))
        assert inspect_template(tpl).tables[0].calculated_columns == ("Double",)
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [["a", 1], ["b", 2], ["c", 3], ["d", 4]])],
                                template=tpl)
        assert [r[2] for r in openpyxl_rows(result.path, "Data")[1:]] == ["=tblData[[#This Row],[Posts]]*2"] * 4

    def test_a_tab_the_template_lacks_is_an_error(self, tmp_path: Path) -> None:
        """A tab naming a sheet the template does not have fails before anything is written."""
        with pytest.raises(TemplateError, match="no sheet 'Nope'"):
            write_workbook(tmp_path / "o.xlsx", [make_tab("Nope", TWO, [])], template=DEMO_TEMPLATE)
        assert not (tmp_path / "o.xlsx").exists()

    def test_validate_reports_the_same_problems_from_inspection(self) -> None:
        """template_problems checks a tab's headers against inspect_template's description."""
        info = inspect_template(DEMO_TEMPLATE)
        assert template_problems(info, "Trend", ["Week Start", "Week End", "Impressions", "Engagements"]) == []
        assert template_problems(info, "Trend", ["week start", "Week End", "Impressions"])[0].startswith(
            "table 'tblTrend': columns do not match (no report column for: Engagements)")
        assert template_problems(info, "Missing", ["x"]) == [
            "the template has no sheet 'Missing' (it has: Summary, Campaigns, Creators, Platforms, Trend)"]
        assert template_problems(info, "Trend", ["Week Start"], excel_table="tblNope") == [
            "sheet 'Trend' has no table 'tblNope'"]


class TestContract:
    def test_content_below_the_table_is_refused(self, tmp_path: Path) -> None:
        """A value under the table would be overwritten by growing data, so the template is refused."""
        def build(wb):
            ws = wb.add_worksheet("Data")
            _table(ws, "tblData", ["Name", "Posts"])
            ws.write("A8", "footnote")
        tpl = _template(tmp_path / "t.xlsx", build)
        with pytest.raises(TemplateError, match="A8 is below the data"):
            write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [])], template=tpl)

    def test_tables_with_a_totals_row_are_refused(self, tmp_path: Path) -> None:
        """A totals row sits below the data; such tables are refused with advice."""
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData",
                                                                  ["Name", "Posts"], totals=True))
        with pytest.raises(TemplateError, match="totals row"):
            write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [])], template=tpl)
        assert inspect_template(tpl).tables[0].name == "tblData"   # inspection still describes it
        with pytest.raises(TemplateError, match="totals row"):
            check_template(tpl, [make_tab("Data", TWO, [])])

    def test_every_contract_problem_is_reported_in_one_error(self, tmp_path: Path) -> None:
        """Content below one table, a totals row on another and a merged block all come in one TemplateError."""
        def build(wb):
            data = wb.add_worksheet("Data")
            _table(data, "tblData", ["Name", "Posts"])
            data.write("C10", "note under the data")
            data.merge_range("D1:E3", "merged")
            _table(wb.add_worksheet("Tot"), "tblT", ["Name", "Posts"], totals=True)
        tpl = _template(tmp_path / "t.xlsx", build)
        tabs = [make_tab("Data", TWO, []), make_tab("Tot", TWO, [])]
        with pytest.raises(TemplateError) as caught:
            check_template(tpl, tabs)
        message = caught.value.message
        assert message.startswith("3 template problems: (1) ")
        assert "\n" not in message   # one logical problem for validate's destinations.X.template
        for part in ("C10 is below the data", "merged cells D1:E3", "table 'tblT': tables with a totals row"):
            assert part in message, part
        with pytest.raises(TemplateError, match="3 template problems"):
            write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, []), make_tab("Tot", TWO, [])], template=tpl)
        assert not (tmp_path / "o.xlsx").exists()

    def test_column_mismatch_and_contract_problems_are_listed_together(self, tmp_path: Path) -> None:
        """A tab whose columns do not match its table still gets its block's contract problems listed too."""
        def build(wb):
            ws = wb.add_worksheet("Data")
            _table(ws, "tblData", ["Name", "Posts"])
            ws.write("A8", "footnote")
        tpl = _template(tmp_path / "t.xlsx", build)
        with pytest.raises(TemplateError) as caught:
            check_template(tpl, [make_tab("Data", [("Name", K.TEXT), ("Views", K.INTEGER)], [])])
        message = caught.value.message
        assert message.startswith("2 template problems: ")
        assert "A8 is below the data" in message and "not in the template: Views" in message

    def test_a_single_problem_keeps_its_own_message(self, tmp_path: Path) -> None:
        """With one problem the message is that problem alone, with no count in front."""
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData",
                                                                  ["Name", "Posts"], totals=True))
        with pytest.raises(TemplateError) as caught:
            check_template(tpl, [make_tab("Data", TWO, [])])
        assert caught.value.message.startswith("table 'tblData': tables with a totals row cannot be filled")

    @pytest.mark.parametrize(("content", "message"), [(b"not a zip", "not an .xlsx"), (None, "does not exist")])
    def test_unreadable_templates_fail_clearly(self, tmp_path: Path, content: bytes | None, message: str) -> None:
        """A missing or corrupt template file gives a one-line TemplateError."""
        path = tmp_path / "broken.xlsx"
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(TemplateError, match=message):
            inspect_template(path)

    def test_xls_and_xlsb_templates_are_refused(self, tmp_path: Path) -> None:
        """Only .xlsx and .xlsm packages can be filled."""
        with pytest.raises(TemplateError, match=r"only \.xlsx and \.xlsm"):
            inspect_template(tmp_path / "t.xlsb")

    def test_empty_report_keeps_one_blank_row_in_the_table(self, tmp_path: Path) -> None:
        """An empty report leaves the table with one empty data row (a table needs one) and reports 0 rows."""
        tpl = _template(tmp_path / "t.xlsx", lambda wb: _table(wb.add_worksheet("Data"), "tblData", ["Name", "Posts"]))
        result = write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [])], template=tpl)
        assert result.rows == {"Data": 0}
        assert_sound(result.path)
        with zipfile.ZipFile(result.path) as zf:
            assert 'ref="A1:B2"' in zf.read("xl/tables/table1.xml").decode()


def test_demo_template_matches_the_demo_contract() -> None:
    """sheets_sync/demo/demo.xlsx has the sheets, tables, columns and calculated column the demo config fills."""
    info = inspect_template(DEMO_TEMPLATE)
    assert info.sheets == ("Summary", "Campaigns", "Creators", "Platforms", "Trend")
    tables = {t.name: t for t in info.tables}
    assert tables["tblCampaigns"].columns == (
        "Campaign ID", "Campaign", "Status", "Posts", "Impressions", "Engagements", "Engagement Rate",
        "Est. Value", "Est. ROI", "Engagements per Post")
    assert tables["tblCampaigns"].calculated_columns == ("Engagements per Post",)
    assert tables["tblCreators"].columns == ("Creator", "Profiles", "Posts", "Impressions", "Engagements",
                                             "Engagement Rate", "Est. Value")
    assert tables["tblPlatforms"].columns == ("Content Type", "Posts", "Impressions", "Engagements", "Engagement Rate")
    assert tables["tblTrend"].columns == ("Week Start", "Week End", "Impressions", "Engagements")
    assert {t.sheet for t in info.tables} == {"Campaigns", "Creators", "Platforms", "Trend"}


def test_merged_cells_in_the_data_rows_are_refused(tmp_path: Path) -> None:
    """Merged cells under the header would collide with streamed rows, so the template is refused."""
    def build(wb):
        ws = wb.add_worksheet("Data")
        _table(ws, "tblData", ["Name", "Posts"])
        ws.merge_range("D2:E3", "merged")
    tpl = _template(tmp_path / "t.xlsx", build)
    with pytest.raises(TemplateError, match="merged cells D2:E3"):
        write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [])], template=tpl)


def test_output_keeps_the_templates_file_type(tmp_path: Path, fidelity_xlsm: Path) -> None:
    """A macro-enabled template must be written to an .xlsm file (Excel rejects a mismatched extension)."""
    with pytest.raises(TemplateError, match=r"a \.xlsm template must be written to a \.xlsm file"):
        write_workbook(tmp_path / "o.xlsx", [make_tab("Data", TWO, [])], template=fidelity_xlsm)


def test_committed_demo_template_is_what_the_script_builds(tmp_path: Path) -> None:
    """sheets_sync/demo/demo.xlsx is byte-identical to a fresh build by templates/make_demo_template.py."""
    import importlib.util
    script = DEMO_TEMPLATE.parents[2] / "templates" / "make_demo_template.py"
    spec = importlib.util.spec_from_file_location("make_demo_template", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build(tmp_path / "demo.xlsx")
    assert fresh.read_bytes() == DEMO_TEMPLATE.read_bytes(), "run: python templates/make_demo_template.py"


class TestRefillingAnOutput:
    """A partial run (one report of several) refreshes its tab in last run's workbook, used as the template."""

    def test_a_filled_template_can_be_filled_again(self, tmp_path: Path) -> None:
        """Refilling a filled workbook moves its table, ranges and charts from the last fill's last row."""
        first = write_workbook(tmp_path / "r.xlsx", demo_tabs(), template=DEMO_TEMPLATE, now=NOW).path
        rows = [[i, f"C{i}", "Active", 1, 2, 3, 4.0, 5.0, 6.0] for i in range(20)]
        again = write_workbook(first, [make_tab("Campaigns", CAMPAIGN_COLUMNS, rows)], template=first, now=NOW)
        assert_sound(again.path)
        assert_data(again.path, "Campaigns", rows)
        with zipfile.ZipFile(again.path) as zf:
            assert "Campaigns!$E$2:$E$21" in zf.read("xl/charts/chart1.xml").decode()
            assert 'ref="A1:J21"' in zf.read("xl/tables/table1.xml").decode()
        assert len(calamine_rows(again.path, "Trend")) == 10      # the other tabs keep last run's data

    def test_a_workbook_made_without_template_can_be_refilled(self, tmp_path: Path) -> None:
        """A clean workbook's data sheet refills under its header row, keeping styles and its filter."""
        tabs = [make_tab("Data", TWO, [["a", 1], ["b", 2]]), make_tab("Other", TWO, [["keep", 9]])]
        first = write_workbook(tmp_path / "r.xlsx", tabs, now=NOW).path
        again = write_workbook(first, [make_tab("Data", TWO, [["x", 5], ["y", 6], ["z", 7]])], template=first, now=NOW)
        assert_data(again.path, "Data", [["x", 5], ["y", 6], ["z", 7]])
        assert calamine_rows(again.path, "Other")[1] == ["keep", 9]
        with zipfile.ZipFile(again.path) as zf:
            assert '<autoFilter ref="A1:B4"/>' in zf.read("xl/worksheets/sheet1.xml").decode()
            assert "'Data'!$A$1:$B$4" in zf.read("xl/workbook.xml").decode()


    def test_a_partial_refill_rewrites_the_about_rows_of_refreshed_tabs(self, tmp_path: Path) -> None:
        """Refilling one tab of a clean workbook updates About's refresh time and that tab's row only."""
        later = NOW + dt.timedelta(days=1, hours=2)
        tabs = [make_tab("Data", TWO, [["a", 1], ["b", 2]]), make_tab("Other", TWO, [["keep", 9]])]
        first = write_workbook(tmp_path / "r.xlsx", tabs, now=NOW).path
        data = make_tab("Data", TWO, [["x", 5], ["y", 6], ["z", 7]])
        data.table.meta = dataclasses.replace(data.table.meta, refreshed_at=later, end_date=dt.date(2026, 3, 1))
        again = write_workbook(first, [data], template=first, now=later).path
        assert_sound(again)
        about = calamine_rows(again, "About")
        assert about[0][:3] == ["Last refreshed", dt.datetime(2026, 3, 3, 8, 30), "UTC"]
        assert about[3] == ["Data", "Data report", "campaigns", dt.date(2026, 2, 1), dt.date(2026, 3, 1), 3,
                            dt.datetime(2026, 3, 3, 8, 30), "UTC"]
        assert about[4][5:7] == [1, dt.datetime(2026, 3, 2, 6, 30)]     # the tab not refreshed keeps its row
        wb = openpyxl.load_workbook(again, read_only=True)
        try:
            assert next(wb["About"].iter_rows(min_row=4, max_row=4))[6].is_date
        finally:
            wb.close()

    def test_repeated_partial_refills_do_not_grow_the_style_table(self, tmp_path: Path) -> None:
        """Rewriting About reuses its date styles, so styles.xml stays the same size run after run."""
        tabs = [make_tab("Data", TWO, [["a", 1]]), make_tab("Other", TWO, [["keep", 9]])]
        path = write_workbook(tmp_path / "r.xlsx", tabs, now=NOW).path
        with zipfile.ZipFile(path) as zf:
            before = zf.read("xl/styles.xml")
        for _ in range(2):
            write_workbook(path, [make_tab("Data", TWO, [["x", 5]])], template=path, now=NOW)
        with zipfile.ZipFile(path) as zf:
            assert zf.read("xl/styles.xml") == before

    def test_a_refreshed_tab_missing_from_about_gets_a_row(self, tmp_path: Path) -> None:
        """A refilled tab that About does not list yet is added below the existing rows."""
        first = write_workbook(tmp_path / "r.xlsx", [make_tab("Data", TWO, [["a", 1]])], now=NOW).path
        with zipfile.ZipFile(first) as zf:
            parts = {name: zf.read(name) for name in zf.namelist()}
        sheet = parts["xl/worksheets/sheet2.xml"].decode()
        parts["xl/worksheets/sheet2.xml"] = sheet.replace(">Data<", ">Gone<", 1).encode()
        with zipfile.ZipFile(first, "w") as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
        again = write_workbook(first, [make_tab("Data", TWO, [["x", 5]])], template=first, now=NOW).path
        assert_sound(again)
        about = calamine_rows(again, "About")
        assert [row[0] for row in about[3:]] == ["Gone", "Data"]
        assert about[4][5] == 1

def test_namespace_prefixed_worksheets_are_refused_clearly() -> None:
    """A worksheet written with an `x:` prefix gets a TemplateError with advice, not a crash."""
    from sheets_sync.sinks.excel.sheetxml import split_sheet
    xml = '<x:worksheet xmlns:x="urn:main"><x:sheetData><x:row r="1"/></x:sheetData></x:worksheet>'
    with pytest.raises(TemplateError, match="namespace prefix"):
        split_sheet(xml, "xl/worksheets/sheet1.xml")
