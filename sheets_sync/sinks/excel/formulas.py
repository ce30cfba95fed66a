"""A small Excel formula evaluator: tokenizer, parser and the subset of functions KPI templates use.

Pure logic: cells, ranges, tables and names are read through a `Resolver` the caller supplies.
Anything outside the subset raises `Unsupported` rather than guessing, so a caller never caches a
value Excel would not compute (the cell is then left for Excel to recalculate on open).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any, Protocol

from sheets_sync.sinks.excel.cells import column_index


@dataclass(frozen=True)
class XlError:
    """An Excel error value such as #DIV/0!."""

    code: str


DIV0 = XlError("#DIV/0!")
VALUE = XlError("#VALUE!")
NUM = XlError("#NUM!")

# A cell's value as Excel sees it: a number, text, a logical, an error, or None for a blank cell.
Value = float | str | bool | XlError | None


class Unsupported(Exception):
    """The formula uses something this evaluator does not compute exactly like Excel (named in `what`)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class FormulaSyntaxError(Unsupported):
    """The formula text could not be parsed."""


@dataclass(frozen=True)
class Ref:
    """A1 reference: sheet (None = the formula's own sheet) and bounds; None bounds mean a whole column/row."""

    sheet: str | None
    c1: int | None
    r1: int | None
    c2: int | None
    r2: int | None
    rows_absolute: tuple[bool, bool] = (True, True)

    def moved(self, rows: int) -> Ref:
        """This reference as Excel's fill-down writes it `rows` rows lower (relative rows move)."""
        if not rows or all(self.rows_absolute) or self.r1 is None or self.r2 is None:
            return self
        r1 = self.r1 if self.rows_absolute[0] else self.r1 + rows
        r2 = self.r2 if self.rows_absolute[1] else self.r2 + rows
        return Ref(self.sheet, self.c1, r1, self.c2, r2, self.rows_absolute)


@dataclass(frozen=True)
class StructRef:
    """Structured reference `table[...]`: the table, its item specifiers (#All, #This Row, ...) and columns."""

    table: str
    items: tuple[str, ...]
    first_column: str | None
    last_column: str | None


class Grid(Protocol):
    """A rectangular block of values (a range)."""

    @property
    def rows(self) -> int: ...

    @property
    def cols(self) -> int: ...

    def values(self) -> Iterator[Value]:
        """Every value, row by row."""
        ...


class Resolver(Protocol):
    """What the evaluator reads: cells, ranges, tables and defined names of one workbook."""

    def cell(self, sheet: str | None, col: int, row: int) -> Value: ...

    def grid(self, ref: Ref) -> Grid: ...

    def struct(self, ref: StructRef, sheet: str, row: int) -> Ref: ...

    def name(self, name: str, sheet: str) -> Node: ...


@dataclass(frozen=True)
class ListGrid:
    """A grid held as a list of values, row by row."""

    rows: int
    cols: int
    items: tuple[Value, ...]

    def values(self) -> Iterator[Value]:
        return iter(self.items)


# ---------------------------------------------------------------------------------------------- parse
# AST nodes are tuples: ("num", float) ("str", s) ("bool", b) ("err", XlError) ("ref", Ref)
# ("struct", StructRef) ("name", text) ("func", NAME, [args]) ("neg", x) ("pct", x) ("op", op, a, b)
# ("range", a, b) ("missing",)
Node = tuple[Any, ...]   # a small tagged-tuple AST; a class per node would only add weight

_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_\u00c0-\uffff][\w.\u00c0-\uffff]*)!"
_CELL = r"\$?[A-Za-z]{1,3}\$?\d+"
_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<str>\"(?:[^\"]|\"\")*\")"
    r"|(?P<err>#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA))"
    rf"|(?P<ref>(?:{_SHEET})?(?:{_CELL}(?::{_CELL})?|\$?[A-Za-z]{{1,3}}:\$?[A-Za-z]{{1,3}}|\$?\d+:\$?\d+)(?![\w(\[]))"
    r"|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<struct>[A-Za-z_\\\u00c0-\uffff][\w.\u00c0-\uffff]*\[)"
    r"|(?P<func>[A-Za-z_\u00c0-\uffff][\w.\u00c0-\uffff]*\()"
    r"|(?P<name>(?:" + _SHEET + r")?[A-Za-z_\\\u00c0-\uffff][\w.\u00c0-\uffff]*)"
    r"|(?P<op><>|<=|>=|[-+*/^&=<>%,():])"
)
_CELL_PARTS = re.compile(r"\$?([A-Za-z]{1,3})?\$?(\d+)?")


def _sheet_name(prefix: str) -> str:
    name = prefix[:-1]
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


def _parse_ref(text: str) -> Ref:
    sheet = None
    if "!" in text:
        at = text.rindex("!")
        sheet, text = _sheet_name(text[: at + 1]), text[at + 1:]
    parts = text.split(":")
    bounds = []
    for part in parts:
        m = _CELL_PARTS.fullmatch(part)
        assert m is not None
        bounds.append((column_index(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None,
                       bool(re.search(r"\$\d", part))))
    (c1, r1, a1), (c2, r2, a2) = bounds[0], bounds[-1]
    if c1 is not None and c2 is not None and c1 > c2:
        c1, c2 = c2, c1
    if r1 is not None and r2 is not None and r1 > r2:
        r1, r2, a1, a2 = r2, r1, a2, a1
    return Ref(sheet, c1, r1, c2, r2, (a1, a2))


def _struct_body(text: str, start: int) -> tuple[str, int]:
    """Return the bracketed body starting after `table[` and the index after its closing bracket."""
    depth, i = 1, start
    while i < len(text):
        ch = text[i]
        if ch == "'":   # escapes the next character inside a column name
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return text[start:i], i + 1
        i += 1
    raise FormulaSyntaxError("unbalanced [ in a structured reference")


def _parse_struct(table: str, body: str) -> StructRef:
    parts = re.findall(r"\[((?:[^\]']|'.)*)\]", body) if body.startswith("[") else ([body] if body else [])
    if body.startswith("[") and not parts:
        raise FormulaSyntaxError(f"structured reference {table}[{body}]")
    items: list[str] = []
    columns: list[str] = []
    for raw in parts:
        text = re.sub(r"'(.)", r"\1", raw.strip())
        if text.startswith("#"):
            items.append(text.casefold())
        elif text.startswith("@"):
            items.append("#this row")
            if text[1:]:
                columns.append(text[1:])
        else:
            columns.append(text)
    first: str | None
    last: str | None
    if body.startswith("[") and ":" in body and len(columns) == 2:
        first, last = columns
    elif len(columns) <= 1:
        first = last = columns[0] if columns else None
    else:
        raise FormulaSyntaxError(f"structured reference {table}[{body}]")
    return StructRef(table, tuple(items), first, last)


def tokenize(formula: str) -> list[tuple[str, str]]:
    """Split formula text (without the leading `=`) into (kind, text) tokens."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(formula):
        m = _TOKEN.match(formula, pos)
        if m is None:
            raise FormulaSyntaxError(f"cannot read {formula[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        if kind == "struct":
            body, end = _struct_body(formula, m.end())
            tokens.append(("struct", m.group(0)[:-1] + "\x00" + body))
            pos = end
            continue
        if kind == "name" and m.group(0).upper() in ("TRUE", "FALSE"):
            kind = "bool"
        if kind != "ws":
            tokens.append((kind, m.group(0)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        if self.take() != ("op", text):
            raise FormulaSyntaxError(f"expected {text!r}")

    def expression(self) -> Node:
        return self.comparison()

    def comparison(self) -> Node:
        left = self.concat()
        while self.peek()[0] == "op" and self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            left = ("op", self.take()[1], left, self.concat())
        return left

    def concat(self) -> Node:
        left = self.additive()
        while self.peek() == ("op", "&"):
            self.take()
            left = ("op", "&", left, self.additive())
        return left

    def additive(self) -> Node:
        left = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            left = ("op", self.take()[1], left, self.term())
        return left

    def term(self) -> Node:
        left = self.power()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            left = ("op", self.take()[1], left, self.power())
        return left

    def power(self) -> Node:
        left = self.percent()
        while self.peek() == ("op", "^"):
            self.take()
            left = ("op", "^", left, self.percent())
        return left

    def percent(self) -> Node:
        node = self.unary()
        while self.peek() == ("op", "%"):
            self.take()
            node = ("pct", node)
        return node

    def unary(self) -> Node:
        # Excel binds negation tighter than ^ (-2^2 is 4).
        if self.peek()[0] == "op" and self.peek()[1] in ("-", "+"):
            sign = self.take()[1]
            operand = self.unary()
            return ("neg", operand) if sign == "-" else ("plus", operand)
        return self.range_()

    def range_(self) -> Node:
        left = self.primary()
        while self.peek() == ("op", ":"):
            self.take()
            left = ("range", left, self.primary())
        return left

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return ("num", float(text))
        if kind == "str":
            return ("str", text[1:-1].replace('""', '"'))
        if kind == "bool":
            return ("bool", text.upper() == "TRUE")
        if kind == "err":
            return ("err", XlError(text))
        if kind == "ref":
            return ("ref", _parse_ref(text))
        if kind == "struct":
            table, body = text.split("\x00", 1)
            return ("struct", _parse_struct(table, body))
        if kind == "name":
            return ("name", text)
        if kind == "func":
            name = text[:-1].upper()
            for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
                name = name.removeprefix(prefix)
            args: list[Node] = []
            if self.peek() == ("op", ")"):
                self.take()
                return ("func", name, args)
            while True:
                if self.peek() in (("op", ","), ("op", ")")):
                    args.append(("missing",))
                else:
                    args.append(self.expression())
                kind2, text2 = self.take()
                if (kind2, text2) == ("op", ")"):
                    return ("func", name, args)
                if (kind2, text2) != ("op", ","):
                    raise FormulaSyntaxError(f"expected , or ) after an argument of {name}")
        if (kind, text) == ("op", "("):
            node = self.expression()
            if self.peek() == ("op", ","):
                raise Unsupported("a union of ranges")
            self.expect(")")
            return node
        if kind == "op" and text == "{":
            raise Unsupported("an array constant")
        raise FormulaSyntaxError(f"unexpected {text or 'end of formula'!r}")


def parse(formula: str) -> Node:
    """Parse formula text (with or without its leading `=`) into an AST.

    Raises:
        Unsupported: the text cannot be read (FormulaSyntaxError) or uses syntax not evaluated here.
    """
    text = formula[1:] if formula.startswith("=") else formula
    parser = _Parser(tokenize(text))
    node = parser.expression()
    if parser.pos != len(parser.tokens):
        raise FormulaSyntaxError(f"unexpected {parser.peek()[1]!r}")
    return node


def references(node: Node) -> Iterator[Node]:
    """Yield every reference node (`ref`, `struct`, `name`, `range`) of an AST, outermost first."""
    kind = node[0]
    if kind in ("ref", "struct", "name", "range"):
        yield node
        if kind != "range":
            return
    if kind == "func":
        for arg in node[2]:
            yield from references(arg)
    elif kind == "op":
        yield from references(node[2])
        yield from references(node[3])
    elif kind in ("neg", "plus", "pct"):
        yield from references(node[1])


# ------------------------------------------------------------------------------------------- evaluate
def to_number(value: Value) -> float | XlError:
    """Coerce a scalar the way Excel's arithmetic does (blank 0, TRUE 1, numeric text its number)."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, XlError):
        return value
    text = value.strip()
    if not text:
        return VALUE
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return float(text)
    if any(ch.isdigit() for ch in text):
        # Excel also reads dates, times, currencies and fractions in text ("1/2", "$5"): not guessed here.
        raise Unsupported(f"arithmetic on text {value!r}")
    return VALUE


def to_text(value: Value) -> str | XlError:
    """Convert a scalar to text as `&` does (numbers in General format)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, XlError):
        return value
    if isinstance(value, str):
        return value
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        raise Unsupported("a number in scientific notation as text")
    return text


def to_bool(value: Value) -> bool | XlError:
    """Coerce a scalar to a logical as IF's condition does."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0
    if isinstance(value, XlError):
        return value
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    return VALUE


def _finite(value: float) -> float | XlError:
    return value if math.isfinite(value) else NUM


def _compare(op: str, a: Value, b: Value) -> bool | XlError:
    if isinstance(a, XlError):
        return a
    if isinstance(b, XlError):
        return b
    # A blank compares as the other side's empty value: 0, "" or FALSE.
    if a is None:
        a = "" if isinstance(b, str) else False if isinstance(b, bool) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else False if isinstance(a, bool) else 0.0
    rank = {float: 0, str: 1, bool: 2}
    ra, rb = rank[type(a)], rank[type(b)]
    if ra != rb:
        key_a, key_b = ra, rb
    elif isinstance(a, str):
        key_a, key_b = a.casefold(), str(b).casefold()   # type: ignore[assignment]  # both text here
    else:
        key_a, key_b = a, b   # type: ignore[assignment]  # numbers or logicals, ordered alike
    return {"=": key_a == key_b, "<>": key_a != key_b, "<": key_a < key_b, ">": key_a > key_b,
            "<=": key_a <= key_b, ">=": key_a >= key_b}[op]


def _arith(op: str, a: Value, b: Value) -> Value:
    x, y = to_number(a), to_number(b)
    if isinstance(x, XlError):
        return x
    if isinstance(y, XlError):
        return y
    if op == "+":
        return _finite(x + y)
    if op == "-":
        return _finite(x - y)
    if op == "*":
        return _finite(x * y)
    if op == "/":
        return DIV0 if y == 0 else _finite(x / y)
    if x == 0 and y <= 0:
        return NUM if y == 0 else DIV0
    if x < 0 and y != int(y):
        return NUM
    try:
        return _finite(math.pow(x, y))
    except OverflowError:
        return NUM


@dataclass
class Context:
    """Where a formula is evaluated: its sheet and cell (for `#This Row`), and the workbook resolver."""

    resolver: Resolver
    sheet: str
    row: int
    col: int
    row_shift: int = 0       # rows below the row the formula was written for (fill-down)


class Evaluator:
    """Evaluates parsed formulas against a Resolver."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def result(self, node: Node) -> Value:
        """The value a cell holding this formula shows (a blank reference shows 0)."""
        value = self.scalar(node)
        return 0.0 if value is None else value

    # -- references
    def ref_of(self, node: Node) -> Ref | None:
        """The reference a node stands for, or None when it is not a reference."""
        kind = node[0]
        if kind == "ref":
            ref: Ref = node[1].moved(self.ctx.row_shift)
            return ref if ref.sheet is not None else Ref(self.ctx.sheet, *_bounds(ref))
        if kind == "struct":
            return self.ctx.resolver.struct(node[1], self.ctx.sheet, self.ctx.row)
        if kind == "name":
            return self.ref_of(self.ctx.resolver.name(node[1], self.ctx.sheet))
        if kind == "range":
            a, b = self.ref_of(node[1]), self.ref_of(node[2])
            first, second = _cell_bounds(a), _cell_bounds(b)
            if a is None or b is None or a.sheet != b.sheet or first is None or second is None:
                raise Unsupported("a range operator between these operands")
            return Ref(a.sheet, min(first[0], second[0]), min(first[1], second[1]),
                       max(first[2], second[2]), max(first[3], second[3]))
        return None

    def operand(self, node: Node) -> Value | Grid:
        """Evaluate an argument: a grid for references to more than one cell, else a scalar."""
        ref = self.ref_of(node) if node[0] in ("ref", "struct", "name", "range") else None
        if ref is None:
            if node[0] == "name":
                return self.scalar(self.ctx.resolver.name(node[1], self.ctx.sheet))
            return self.scalar(node)
        if ref.c1 is not None and ref.c1 == ref.c2 and ref.r1 is not None and ref.r1 == ref.r2:
            return self.ctx.resolver.cell(ref.sheet, ref.c1, ref.r1)
        return self.ctx.resolver.grid(ref)

    def scalar(self, node: Node) -> Value:
        kind = node[0]
        if kind == "num" or kind == "str" or kind == "bool" or kind == "err":
            return node[1]   # type: ignore[no-any-return]  # literal payloads are Values
        if kind == "missing":
            return None
        if kind in ("ref", "struct", "name", "range"):
            value = self.operand(node)
            if isinstance(value, (float, str, bool, XlError)) or value is None:
                return value
            # Excel would intersect the range with the formula's row or column (or spill it).
            raise Unsupported("a range where one value is expected")
        if kind == "neg":
            x = to_number(self.scalar(node[1]))
            return x if isinstance(x, XlError) else -x
        if kind == "plus":
            return self.scalar(node[1])
        if kind == "pct":
            x = to_number(self.scalar(node[1]))
            return x if isinstance(x, XlError) else x / 100
        if kind == "op":
            op = node[1]
            a, b = self.scalar(node[2]), self.scalar(node[3])
            if op == "&":
                ta, tb = to_text(a), to_text(b)
                if isinstance(ta, XlError):
                    return ta
                if isinstance(tb, XlError):
                    return tb
                return ta + tb
            if op in ("=", "<>", "<", ">", "<=", ">="):
                return _compare(op, a, b)
            return _arith(op, a, b)
        if kind == "func":
            function = FUNCTIONS.get(node[1])
            if function is None:
                raise Unsupported(node[1])
            return function(self, node[2])
        raise Unsupported(f"formula element {kind}")


def _bounds(ref: Ref) -> tuple[int | None, int | None, int | None, int | None]:
    return ref.c1, ref.r1, ref.c2, ref.r2


def _cell_bounds(ref: Ref | None) -> tuple[int, int, int, int] | None:
    """(c1, r1, c2, r2) of a reference with every bound known; None for no reference or a whole column / row."""
    if ref is None or ref.c1 is None or ref.r1 is None or ref.c2 is None or ref.r2 is None:
        return None
    return ref.c1, ref.r1, ref.c2, ref.r2


# ------------------------------------------------------------------------------------------ functions
def _numbers(ev: Evaluator, args: Sequence[Node], *, count_mode: bool = False) -> list[float] | XlError:
    """Numbers of SUM-like arguments: numbers in ranges only; direct arguments coerced (errors kept)."""
    out: list[float] = []
    for arg in args:
        value = ev.operand(arg)
        if isinstance(value, (float, str, bool, XlError)) or value is None:
            if arg[0] in ("ref", "struct", "name", "range"):
                # A single-cell reference behaves like a range: only numbers count.
                if isinstance(value, XlError) and not count_mode:
                    return value
                if isinstance(value, float):
                    out.append(value)
                continue
            if count_mode:
                number = to_number(value) if not isinstance(value, XlError) and value is not None else VALUE
                if not isinstance(number, XlError) and not (isinstance(value, str) and not value.strip()):
                    out.append(number)
                continue
            number = to_number(value)
            if isinstance(number, XlError):
                return number
            out.append(number)
            continue
        for item in value.values():
            if isinstance(item, float):
                out.append(item)
            elif isinstance(item, XlError) and not count_mode:
                return item
    return out


def _sum(ev: Evaluator, args: Sequence[Node]) -> Value:
    numbers = _numbers(ev, args)
    return numbers if isinstance(numbers, XlError) else _finite(math.fsum(numbers) if numbers else 0.0)


def _average(ev: Evaluator, args: Sequence[Node]) -> Value:
    numbers = _numbers(ev, args)
    if isinstance(numbers, XlError):
        return numbers
    return _finite(math.fsum(numbers) / len(numbers)) if numbers else DIV0


def _count(ev: Evaluator, args: Sequence[Node]) -> Value:
    numbers = _numbers(ev, args, count_mode=True)
    assert not isinstance(numbers, XlError)
    return float(len(numbers))


def _counta(ev: Evaluator, args: Sequence[Node]) -> Value:
    total = 0
    for arg in args:
        if arg[0] == "missing":
            continue
        value = ev.operand(arg)
        if isinstance(value, (float, str, bool, XlError)) or value is None:
            total += value is not None or arg[0] not in ("ref", "struct", "name", "range")
        else:
            total += sum(1 for item in value.values() if item is not None)
    return float(total)


def _countblank(ev: Evaluator, args: Sequence[Node]) -> Value:
    if len(args) != 1:
        raise Unsupported("COUNTBLANK with other than one range")
    value = ev.operand(args[0])
    items = [value] if isinstance(value, (float, str, bool, XlError)) or value is None else list(value.values())
    return float(sum(1 for item in items if item is None or item == ""))


def _extreme(pick: Callable[[list[float]], float]) -> Callable[[Evaluator, Sequence[Node]], Value]:
    def function(ev: Evaluator, args: Sequence[Node]) -> Value:
        numbers = _numbers(ev, args)
        if isinstance(numbers, XlError):
            return numbers
        return pick(numbers) if numbers else 0.0
    return function


def _arg(ev: Evaluator, args: Sequence[Node], index: int, default: Value = None) -> Value:
    if index >= len(args) or args[index][0] == "missing":
        return default
    return ev.scalar(args[index])


def _if(ev: Evaluator, args: Sequence[Node]) -> Value:
    if not 1 <= len(args) <= 3:
        raise Unsupported("IF with this many arguments")
    condition = to_bool(ev.scalar(args[0]))
    if isinstance(condition, XlError):
        return condition
    branch = 1 if condition else 2
    if branch >= len(args):
        return False            # IF(cond, x) with cond FALSE shows FALSE
    if args[branch][0] == "missing":
        return 0.0              # IF(cond, , x): an omitted branch is 0
    value = ev.scalar(args[branch])
    return 0.0 if value is None else value


def _iferror(ev: Evaluator, args: Sequence[Node]) -> Value:
    if len(args) != 2:
        raise Unsupported("IFERROR with other than two arguments")
    value = ev.scalar(args[0])
    if isinstance(value, XlError):
        value = ev.scalar(args[1]) if args[1][0] != "missing" else 0.0
    return 0.0 if value is None else value


def _rounder(mode: str) -> Callable[[Evaluator, Sequence[Node]], Value]:
    def function(ev: Evaluator, args: Sequence[Node]) -> Value:
        if len(args) != 2:
            raise Unsupported("ROUND with other than two arguments")
        x, digits = to_number(ev.scalar(args[0])), to_number(_arg(ev, args, 1, 0.0))
        if isinstance(x, XlError):
            return x
        if isinstance(digits, XlError):
            return digits
        # Excel rounds the number as shown to 15 significant digits, half away from zero.
        exact = Decimal(f"{x:.15g}")
        return float(exact.quantize(Decimal(1).scaleb(-int(digits)), rounding=mode))
    return function


def _abs(ev: Evaluator, args: Sequence[Node]) -> Value:
    if len(args) != 1:
        raise Unsupported("ABS with other than one argument")
    x = to_number(ev.scalar(args[0]))
    return x if isinstance(x, XlError) else abs(x)


def _logical(combine: Callable[[list[bool]], bool]) -> Callable[[Evaluator, Sequence[Node]], Value]:
    def function(ev: Evaluator, args: Sequence[Node]) -> Value:
        flags: list[bool] = []
        for arg in args:
            value = ev.operand(arg)
            items = [value] if isinstance(value, (float, str, bool, XlError)) or value is None else value.values()
            for item in items:
                if isinstance(item, XlError):
                    return item
                if isinstance(item, (bool, float)):
                    flags.append(bool(item))
                elif isinstance(item, str) and arg[0] not in ("ref", "struct", "name", "range"):
                    flag = to_bool(item)
                    if isinstance(flag, XlError):
                        return flag
                    flags.append(flag)
        return combine(flags) if flags else VALUE
    return function


def _not(ev: Evaluator, args: Sequence[Node]) -> Value:
    if len(args) != 1:
        raise Unsupported("NOT with other than one argument")
    flag = to_bool(ev.scalar(args[0]))
    return flag if isinstance(flag, XlError) else not flag


def _grid(ev: Evaluator, node: Node) -> Grid:
    value = ev.operand(node)
    if isinstance(value, (float, str, bool, XlError)) or value is None:
        return ListGrid(1, 1, (value,))
    return value


def criterion(value: Value) -> Callable[[Value], bool]:
    """Return the matcher of a SUMIF/COUNTIF criterion ("x", ">5", "<>", "a*", 3)."""
    if isinstance(value, XlError):
        raise Unsupported("an error value as a criterion")
    if isinstance(value, (float, bool)):
        return lambda item: type(item) is type(value) and item == value
    text = "" if value is None else value
    m = re.match(r"(<>|<=|>=|=|<|>)?(.*)\Z", text, re.S)
    assert m is not None
    op, operand = m.group(1) or "=", m.group(2)
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", operand.strip()):
        number = float(operand)
        return lambda item: isinstance(item, float) and not isinstance(item, bool) and bool(
            _compare(op, item, number))
    if any(ch.isdigit() for ch in operand) or operand.upper() in ("TRUE", "FALSE") or operand.startswith("#"):
        raise Unsupported(f"the criterion {text!r}")   # dates, logicals, errors: Excel parses these
    if operand == "":
        if op == "=":
            return lambda item: item is None or item == ""
        if op == "<>":
            return lambda item: item is not None and item != ""
        raise Unsupported(f"the criterion {text!r}")
    if op in ("=", "<>"):
        if any(ch in operand for ch in "*?~"):
            pattern = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch)
                              for ch in re.sub(r"~(.)", lambda g: "\x00" + g.group(1), operand))
            pattern = pattern.replace("\x00", "")
            if "~" in operand:
                raise Unsupported(f"the criterion {text!r}")
            regex = re.compile(pattern, re.I | re.S)

            def matches(item: Value) -> bool:
                return isinstance(item, str) and regex.fullmatch(item) is not None
        else:
            folded = operand.casefold()

            def matches(item: Value) -> bool:
                return isinstance(item, str) and item.casefold() == folded
        if op == "=":
            return matches
        return lambda item: not matches(item)
    return lambda item: isinstance(item, str) and bool(_compare(op, item, operand))


def _conditional(kind: str) -> Callable[[Evaluator, Sequence[Node]], Value]:
    def function(ev: Evaluator, args: Sequence[Node]) -> Value:
        if len(args) not in (2, 3) or (kind == "count" and len(args) != 2):
            raise Unsupported(f"{kind.upper()}IF with this many arguments")
        tested = _grid(ev, args[0])
        match = criterion(ev.scalar(args[1]))
        summed = _grid(ev, args[2]) if len(args) == 3 and args[2][0] != "missing" else tested
        if (summed.rows, summed.cols) != (tested.rows, tested.cols):
            raise Unsupported("SUMIF ranges of different sizes")
        picked = [v for t, v in zip(tested.values(), summed.values(), strict=True) if match(t)]
        if kind == "count":
            return float(len(picked))
        for item in picked:
            if isinstance(item, XlError):
                return item
        numbers = [v for v in picked if isinstance(v, float)]
        if kind == "sum":
            return _finite(math.fsum(numbers))
        return _finite(math.fsum(numbers) / len(numbers)) if numbers else DIV0
    return function


def _sumproduct(ev: Evaluator, args: Sequence[Node]) -> Value:
    grids = []
    for arg in args:
        if arg[0] not in ("ref", "struct", "name", "range"):
            # Array arithmetic ((A1:A3>1)*B1:B3) is not evaluated here.
            raise Unsupported("SUMPRODUCT over a computed array")
        grids.append(_grid(ev, arg))
    if not grids or any((g.rows, g.cols) != (grids[0].rows, grids[0].cols) for g in grids):
        return VALUE
    total = []
    for items in zip(*(g.values() for g in grids), strict=True):
        product = 1.0
        for item in items:
            if isinstance(item, XlError):
                return item
            product *= item if isinstance(item, float) else 0.0
        total.append(product)
    return _finite(math.fsum(total))


def _shape(rows: bool) -> Callable[[Evaluator, Sequence[Node]], Value]:
    def function(ev: Evaluator, args: Sequence[Node]) -> Value:
        if len(args) != 1 or args[0][0] not in ("ref", "struct", "name", "range"):
            raise Unsupported("ROWS or COLUMNS of something other than a range")
        ref = ev.ref_of(args[0])
        if ref is None:
            raise Unsupported("ROWS or COLUMNS of something other than a range")
        if rows:
            return float(ref.r2 - ref.r1 + 1 if ref.r1 is not None and ref.r2 is not None else 1_048_576)
        return float(ref.c2 - ref.c1 + 1 if ref.c1 is not None and ref.c2 is not None else 16_384)
    return function


def _volatile(name: str) -> Callable[[Evaluator, Sequence[Node]], Value]:
    def function(ev: Evaluator, args: Sequence[Node]) -> Value:
        raise Unsupported(f"{name} (volatile: its value is the moment Excel recalculates)")
    return function


FUNCTIONS: dict[str, Callable[[Evaluator, Sequence[Node]], Value]] = {
    "SUM": _sum, "AVERAGE": _average, "COUNT": _count, "COUNTA": _counta, "COUNTBLANK": _countblank,
    "MIN": _extreme(min), "MAX": _extreme(max), "IF": _if, "IFERROR": _iferror,
    "ROUND": _rounder(ROUND_HALF_UP), "ROUNDUP": _rounder(ROUND_UP), "ROUNDDOWN": _rounder(ROUND_DOWN),
    "ABS": _abs, "AND": _logical(all), "OR": _logical(any), "NOT": _not,
    "SUMIF": _conditional("sum"), "COUNTIF": _conditional("count"), "AVERAGEIF": _conditional("average"),
    "SUMPRODUCT": _sumproduct, "ROWS": _shape(True), "COLUMNS": _shape(False),
    "TODAY": _volatile("TODAY"), "NOW": _volatile("NOW"), "RAND": _volatile("RAND"),
    "RANDBETWEEN": _volatile("RANDBETWEEN"), "OFFSET": _volatile("OFFSET"), "INDIRECT": _volatile("INDIRECT"),
}
