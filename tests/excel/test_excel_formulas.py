"""The built-in formula evaluator: Excel's semantics for the subset it computes, and refusal beyond it."""

from __future__ import annotations

import pytest

from sheets_sync.sinks.excel.formulas import (
    Context,
    Evaluator,
    ListGrid,
    Node,
    Ref,
    StructRef,
    Unsupported,
    Value,
    XlError,
    parse,
)

# Sheet "S": A1..A4 = 1, 2, "text", blank; B1 = TRUE, B2 = #DIV/0!, C1..C3 = "North", "south", "Nor".
CELLS: dict[tuple[int, int], Value] = {
    (1, 1): 1.0, (2, 1): 2.0, (3, 1): "text", (1, 2): True, (2, 2): XlError("#DIV/0!"),
    (1, 3): "North", (2, 3): "south", (3, 3): "Nor",
}


class _Sheet:
    """A one-sheet resolver over CELLS, with a table tbl over A1:A4 (header row 0) and a name Two."""

    def cell(self, sheet: str | None, col: int, row: int) -> Value:
        assert sheet == "S"
        return CELLS.get((row, col))

    def grid(self, ref: Ref) -> ListGrid:
        r1, r2, c1, c2 = ref.r1 or 1, ref.r2 or 4, ref.c1 or 1, ref.c2 or 3
        return ListGrid(r2 - r1 + 1, c2 - c1 + 1,
                        tuple(CELLS.get((r, c)) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)))

    def struct(self, ref: StructRef, sheet: str, row: int) -> Ref:
        if "#this row" in ref.items:
            return Ref("S", 1, row, 1, row)
        return Ref("S", 1, 1, 1, 4)

    def name(self, name: str, sheet: str) -> Node:
        if name.casefold() == "two":
            return parse("S!$A$2")
        raise Unsupported(f"the name {name}")


def evaluate(formula: str, row: int = 1) -> Value:
    return Evaluator(Context(_Sheet(), "S", row, 9)).result(parse(formula))


@pytest.mark.parametrize(("formula", "expected"), [
    ("1+2*3", 7.0), ("-2^2", 4.0), ("2^-1", 0.5), ("50%", 0.5), ("(1+2)*3", 9.0), ("7/2", 3.5),
    ('"a"&1&TRUE', "a1TRUE"), ('1&""', "1"), ("0.1+0.2&\"\"", "0.3"), ("A4", 0.0), ("A4&\"x\"", "x"),
    ("A1+A4", 1.0), ("B1+1", 2.0), ('"3"+1', 4.0), ("1=1", True), ('"a"="A"', True), ('"b">"a"', True),
    ('1<"a"', True), ("TRUE>1", True), ("A4=0", True), ('A4=""', True),
])
def test_operators_follow_excel(formula: str, expected: Value) -> None:
    """Arithmetic, precedence (negation before ^), %, & and comparisons (case-insensitive, typed order)."""
    assert evaluate(formula) == expected


@pytest.mark.parametrize(("formula", "expected"), [
    ("SUM(A1:A4)", 3.0), ("SUM(A:A)", 3.0), ("SUM(A1,2,TRUE)", 4.0), ("AVERAGE(A1:A4)", 1.5),
    ("COUNT(A1:B4)", 2.0), ("COUNTA(A1:A4)", 3.0), ("COUNTBLANK(A1:A4)", 1.0), ("MIN(A1:A4)", 1.0),
    ("MAX(A1:A4,5)", 5.0), ("MAX(C1:C3)", 0.0), ("AVERAGE(C1:C3)", XlError("#DIV/0!")),
    ("SUM(A1:B2)", XlError("#DIV/0!")),
    ("IF(A1>1,\"big\",\"small\")", "small"), ("IF(A4,1)", False), ("IF(1,,2)", 0.0), ("IFERROR(1/0,-1)", -1.0),
    ("IFERROR(B2,\"x\")", "x"), ("1/0", XlError("#DIV/0!")), ('"x"+1', XlError("#VALUE!")),
    ("ROUND(2.675,2)", 2.68), ("ROUND(-2.5,0)", -3.0), ("ROUND(1234.5,-2)", 1200.0), ("ROUNDDOWN(2.99,0)", 2.0),
    ("ROUNDUP(2.01,0)", 3.0), ("ABS(-A2)", 2.0), ("AND(A1,B1)", True), ("OR(A4=1,FALSE)", False), ("NOT(A1)", False),
    ('SUMIF(C1:C3,"north",A1:A3)', 1.0), ('SUMIF(C1:C3,"nor*",A1:A3)', 1.0), ('SUMIF(C1:C3,"<>North",A1:A3)', 2.0),
    ('COUNTIF(A1:A4,">1")', 1.0), ('COUNTIF(A1:A4,"")', 1.0), ('COUNTIF(C1:C3,"?or*")', 2.0),
    ('AVERAGEIF(A1:A4,">=1")', 1.5), ("SUMPRODUCT(A1:A3,A1:A3)", 5.0), ("SUMPRODUCT(A1:A2,A1:A3)", XlError("#VALUE!")),
    ("ROWS(A1:A4)+COLUMNS(A:C)", 7.0), ("SUM(tbl[x])", 3.0), ("tbl[[#This Row],[x]]*10", 20.0), ("Two*3", 6.0),
    ("_xlfn.IFERROR(1/0,0)", 0.0),
])
def test_functions_follow_excel(formula: str, expected: Value) -> None:
    """The supported functions: text and blanks ignored in ranges, errors propagated, Excel's rounding."""
    assert evaluate(formula, row=2) == expected


@pytest.mark.parametrize(("formula", "what"), [
    ("MEDIAN(A1:A3)", "MEDIAN"), ("TODAY()", "TODAY"), ("A1:A3*2", "a range where one value is expected"),
    ('"1/2"+1', "arithmetic on text"), ('COUNTIF(A1:A3,">2026-01-01")', "criterion"), ("{1,2}", "cannot read"),
    ("1E+20&\"\"", "scientific notation"), ("SUMPRODUCT((A1:A2>1)*A1:A2)", "computed array"), ("Nope+1", "Nope"),
])
def test_what_is_not_computed_exactly_is_refused(formula: str, what: str) -> None:
    """Unknown and volatile functions, implicit intersection, date-like text: Unsupported, never a guess."""
    with pytest.raises(Unsupported) as caught:
        evaluate(formula)
    assert what in caught.value.what


def test_fill_down_moves_relative_rows_only() -> None:
    """A formula written for row 1 and evaluated two rows lower reads A3 for A1 but keeps $A$1."""
    node = parse("A1&\"|\"&$A$1")
    assert Evaluator(Context(_Sheet(), "S", 3, 9, row_shift=2)).result(node) == "text|1"
