"""Cell values in and out: parsing written values (RAW / USER_ENTERED) and rendering them as Google does."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

Json = dict[str, Any]

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_EPOCH = dt.datetime(1899, 12, 30)
_DEFAULT_PATTERNS = {"DATE": "M/d/yyyy", "TIME": "h:mm:ss am/pm", "DATE_TIME": "M/d/yyyy H:mm:ss",
                     "PERCENT": "0.00%", "CURRENCY": "$#,##0.00", "NUMBER": "#,##0.00", "SCIENTIFIC": "0.00E+00"}
_DATE_TYPES = {"DATE", "TIME", "DATE_TIME"}
# USER_ENTERED text Google reads as a date (ISO form only: the form the recordings show) and the format it gives it
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
ISO_DATE_FORMAT: Json = {"type": "DATE", "pattern": "yyyy-mm-dd"}
_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dd|d|hh|h|HH|H|ss|s|am/pm|AM/PM|\"[^\"]*\"|\\.|.", re.IGNORECASE)


def written_value(value: Any, user_entered: bool) -> Json:
    """A value from a ValueRange as the cell's `userEnteredValue`; `{}` for "" (an empty cell)."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    text = str(value)
    if text == "":
        return {}
    if not user_entered:
        return {"stringValue": text}
    # USER_ENTERED, approximated: formulas, a quote that forces text, ISO dates, numbers and booleans; no money
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}
    if text.startswith("'"):
        return {"stringValue": text[1:]}
    serial = iso_date_serial(text)
    if serial is not None:
        return {"numberValue": serial}
    if _NUMBER.match(text.strip()):
        number = float(text)
        return {"numberValue": int(number) if number.is_integer() and abs(number) < 2**53 else number}
    if text.upper() in ("TRUE", "FALSE"):
        return {"boolValue": text.upper() == "TRUE"}
    return {"stringValue": text}


def iso_date_serial(text: str) -> int | None:
    """The date serial (days since 1899-12-30) of `yyyy-mm-dd` text that names a real date, else None."""
    match = _ISO_DATE.match(text.strip())
    if match is None:
        return None
    try:
        day = dt.datetime(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return (day - _EPOCH).days


def entered_number_format(value: Any, user_entered: bool) -> Json | None:
    """The number format USER_ENTERED text brings with it: a date typed as `2020-01-01` shows as it was typed."""
    if user_entered and isinstance(value, str) and iso_date_serial(value) is not None:
        return dict(ISO_DATE_FORMAT)
    return None


def effective_value(cell: Json) -> Json | None:
    """The value a cell shows; of formulas only plain arithmetic (`=3/2`, `= 1 / 1024`) is evaluated."""
    value = cell.get("userEnteredValue")
    if not value:
        return None
    if "formulaValue" in value:
        number = arithmetic(str(value["formulaValue"])[1:])
        return None if number is None else {"numberValue": _number_json(number)}
    return dict(value)


_TOKEN = re.compile(r"\s*(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|[-+*/^()])")


def arithmetic(text: str) -> float | None:
    """The value of numbers joined by + - * / ^ and parentheses; None for anything else (or division by 0)."""
    tokens: list[str] = []
    pos = 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if match is None:
            return None
        tokens.append(match.group(1))
        pos = match.end()
    try:
        value, rest = _sum(tokens)
    except (IndexError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return value if not rest else None


def _sum(tokens: list[str]) -> tuple[float, list[str]]:
    value, tokens = _product(tokens)
    while tokens and tokens[0] in "+-":
        op, (right, tokens) = tokens[0], _product(tokens[1:])
        value = value + right if op == "+" else value - right
    return value, tokens


def _product(tokens: list[str]) -> tuple[float, list[str]]:
    value, tokens = _power(tokens)
    while tokens and tokens[0] in "*/":
        op, (right, tokens) = tokens[0], _power(tokens[1:])
        value = value * right if op == "*" else value / right
    return value, tokens


def _power(tokens: list[str]) -> tuple[float, list[str]]:
    value, tokens = _unary(tokens)
    if tokens and tokens[0] == "^":
        right, tokens = _power(tokens[1:])
        value = float(value**right)
    return value, tokens


def _unary(tokens: list[str]) -> tuple[float, list[str]]:
    if tokens[0] in "+-":
        value, rest = _unary(tokens[1:])
        return (-value if tokens[0] == "-" else value), rest
    if tokens[0] == "(":
        value, rest = _sum(tokens[1:])
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced")
        return value, rest[1:]
    return float(tokens[0]), tokens[1:]


def _number_json(number: float) -> int | float:
    return int(number) if float(number).is_integer() and abs(number) < 2**53 else number


def _number_format(cell: Json) -> Json:
    return dict((cell.get("userEnteredFormat") or {}).get("numberFormat") or {})


def is_date_formatted(cell: Json) -> bool:
    return _number_format(cell).get("type") in _DATE_TYPES


def formatted_value(cell: Json) -> str:
    """The text a cell shows (approximating Google's number formats; formulas show their text)."""
    value = cell.get("userEnteredValue") or {}
    if "formulaValue" in value:
        effective = effective_value(cell)
        if effective is None:
            return str(value["formulaValue"])
        value = effective
    if "stringValue" in value:
        return str(value["stringValue"])
    if "boolValue" in value:
        return "TRUE" if value["boolValue"] else "FALSE"
    if "errorValue" in value:
        return "#ERROR!"
    if "numberValue" in value:
        return format_number(float(value["numberValue"]), _number_format(cell))
    return ""


def rendered(cell: Json, value_render: str, date_render: str) -> Any:
    """A cell as values.get returns it; None for an empty cell."""
    value = cell.get("userEnteredValue") or {}
    if not value:
        return None
    if value_render == "FORMATTED_VALUE":
        return formatted_value(cell)
    if "formulaValue" in value:
        if value_render == "FORMULA":
            return value["formulaValue"]
        value = effective_value(cell) or {"stringValue": formatted_value(cell)}
    if "numberValue" in value:
        if date_render == "FORMATTED_STRING" and is_date_formatted(cell):
            return formatted_value(cell)
        return _number_json(float(value["numberValue"]))
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "errorValue" in value:
        return "#ERROR!"
    return value.get("stringValue", "")


def general(number: float) -> str:
    """Google's automatic format: integers bare, other numbers to ten significant digits."""
    if math.isfinite(number) and float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.10g}"


def format_number(number: float, number_format: Json) -> str:
    """`number` under a NumberFormat (types NUMBER, PERCENT, CURRENCY, DATE, TIME, DATE_TIME, TEXT)."""
    kind = number_format.get("type", "")
    pattern = number_format.get("pattern") or _DEFAULT_PATTERNS.get(kind, "")
    if not pattern or kind == "TEXT":
        return general(number)
    if kind in _DATE_TYPES or (not kind and re.search(r"[yd]|h+:", pattern)):
        return format_serial(number, pattern)
    return _format_decimal(number, pattern)


def _format_decimal(number: float, pattern: str) -> str:
    sections = pattern.split(";")
    section = sections[1] if number < 0 and len(sections) > 1 else sections[0]
    sign = "-" if number < 0 and len(sections) == 1 else ""
    match = re.search(r"[#0,]+(\.[0#]+)?|\.[0#]+", section)
    if match is None:
        return general(number)
    core = match.group(0)
    value = abs(number) * (100 if "%" in section else 1)
    decimals = len(core.split(".")[1]) if "." in core else 0
    text = f"{value:,.{decimals}f}" if "," in core.split(".")[0] else f"{value:.{decimals}f}"
    prefix = _literal(section[:match.start()])
    suffix = _literal(section[match.end():])
    return sign + prefix + text + suffix


def _literal(part: str) -> str:
    return re.sub(r'"([^"]*)"|\\(.)', lambda m: m.group(1) if m.group(1) is not None else m.group(2), part)


def serial_to_datetime(serial: float) -> dt.datetime:
    """Days since 1899-12-30 (the fraction is the time of day) → a datetime."""
    return _EPOCH + dt.timedelta(days=serial)


def format_serial(serial: float, pattern: str) -> str:
    """A date serial under a date pattern (`yyyy-mm-dd`, `M/d/yyyy H:mm:ss`, `h:mm am/pm`, …)."""
    moment = serial_to_datetime(round(serial * 86400) / 86400)
    tokens = [t.group(0) for t in _DATE_TOKEN.finditer(pattern)]
    twelve_hour = any(t.lower() == "am/pm" for t in tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        before = next((t.lower() for t in reversed(tokens[:i]) if t.strip(":/ -.,") and t[0] != '"'), "")
        after = next((t.lower() for t in tokens[i + 1:] if t.strip(":/ -.,") and t[0] != '"'), "")
        minute = low in ("m", "mm") and (before.startswith("h") or after.startswith("s"))
        hour = moment.hour % 12 or 12 if twelve_hour else moment.hour
        out.append({
            "yyyy": f"{moment.year:04d}", "yy": f"{moment.year % 100:02d}", "mmmm": moment.strftime("%B"),
            "mmm": moment.strftime("%b"), "dd": f"{moment.day:02d}", "d": str(moment.day),
            "hh": f"{hour:02d}", "h": str(hour), "ss": f"{moment.second:02d}", "s": str(moment.second),
            "am/pm": "AM" if moment.hour < 12 else "PM",
        }.get(low, _minute_or_month(low, minute, moment) if low in ("m", "mm") else _literal(token)))
    return "".join(out)


def _minute_or_month(code: str, minute: bool, moment: dt.datetime) -> str:
    value = moment.minute if minute else moment.month
    return f"{value:02d}" if code == "mm" else str(value)
