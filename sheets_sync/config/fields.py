"""Annotated field types for config models that refuse silent YAML conversions and name the fix.

Every string-valued key uses `Text`, so a number, boolean or date written where text is expected,
and a YAML 1.1 look-alike (`no`, `012`, `8:30`), is a problem asking for quotes rather than a value
quietly turned into something else. Numbers and booleans accept plain digit / true-false text too,
because `${VAR}` references always produce text.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, SecretStr
from pydantic_core import PydanticCustomError

from sheets_sync.config.yamlread import Ambiguous

_DIGITS = re.compile(r"[0-9]+")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean "x"?)` for the closest choice, or "" when nothing is close."""
    choices = list(choices)
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in choices}
        matches = [lowered[word.lower()]] if word.lower() in lowered else []
    return f' (did you mean "{matches[0]}"?)' if matches else ""


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "an empty value" if value is None else "a value of another type"


def to_text(value: Any) -> str:
    """Accept real text only; everything else is a problem that says how to write it."""
    if isinstance(value, Ambiguous):
        raise PydanticCustomError(
            "yaml11_text", '{text} is read as {reading} by YAML 1.1; write "{text}" (in quotes) if you mean text',
            {"text": str(value), "reading": value.reading})
    if isinstance(value, str):
        return value
    scalar = isinstance(value, (bool, int, float, dt.date))
    # problems.py replaces this message with one that quotes the exact text from the file
    raise PydanticCustomError("not_text", "expected text, not {kind}" + ("; put it in quotes" if scalar else ""),
                              {"kind": _kind(value), "scalar": scalar})


def to_whole_number(value: Any) -> Any:
    """Integers pass; digit-only text (from `${VAR}`) becomes an integer; YAML 1.1 look-alikes are refused."""
    if isinstance(value, Ambiguous):
        raise PydanticCustomError("yaml11_number", "{text} is read as {reading} by YAML 1.1; write a plain number",
                                  {"text": str(value), "reading": value.reading})
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("whole_number", "expected a whole number, got {got}", {"got": _shown(value)})
    return value


def _shown(value: Any) -> str:
    """`value` as the file wrote it, for messages: 1.5, true, "abc"; collections by their kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    return _kind(value)


def _positive(value: int) -> int:
    if value < 1:
        raise PydanticCustomError("positive", "expected a positive whole number (an id), got {value}", {"value": value})
    return value


def to_number(value: Any) -> Any:
    """Like `to_whole_number`, but decimals are allowed."""
    if isinstance(value, float):
        return value
    if isinstance(value, str) and not isinstance(value, Ambiguous) and re.fullmatch(r"[0-9]+\.[0-9]+", value):
        return float(value)
    if isinstance(value, Ambiguous) or (isinstance(value, int) and not isinstance(value, bool)):
        return to_whole_number(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, str):
        raise PydanticCustomError("number", "expected a number, got {got}", {"got": _shown(value)})
    raise PydanticCustomError("number", "expected a number, not {kind}", {"kind": _kind(value)})


def to_flag(value: Any) -> bool:
    """`true`/`false` only; `yes`/`no`/`on`/`off` are refused because YAML 1.1 and 1.2 disagree on them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Ambiguous):
        raise PydanticCustomError("yaml11_flag", "{text} is read as a boolean only by YAML 1.1; write true or false",
                                  {"text": str(value)})
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise PydanticCustomError("flag", "expected true or false, not {kind}", {"kind": _kind(value)})


def to_list(value: Any) -> Any:
    """A single value where a list is expected becomes a one-item list (`platform: instagram`)."""
    return value if isinstance(value, list) else [value]


def to_date(value: Any) -> dt.date:
    """A quote-free `2025-01-31` (already a date) or the same text in quotes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and not isinstance(value, Ambiguous):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", "expected a date written YYYY-MM-DD")


def one_of(choices: Iterable[str], what: str) -> AfterValidator:
    """Validator: the text must be one of `choices`; the message lists them and suggests the closest."""
    allowed = tuple(choices)

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                "one_of", "unknown {what} \"{value}\"{hint}; expected one of: {allowed}",
                {"what": what, "value": value, "hint": did_you_mean(value, allowed), "allowed": ", ".join(allowed)})
        return value

    return AfterValidator(check)


def choice(choices: Iterable[str], what: str) -> Any:
    """A text type limited to `choices`; the JSON Schema lists them so editors can complete them."""
    allowed = list(choices)
    listed: list[JsonValue] = [*allowed]
    return Annotated[str, BeforeValidator(to_text), one_of(allowed, what), Field(json_schema_extra={"enum": listed})]


if TYPE_CHECKING:
    # What the type checker sees: `OneOrMany[X]` holds a list of X once validated.
    OneOrMany = list
else:
    class OneOrMany:
        """`OneOrMany[X]`: a list of X that also accepts a single X (`platform: tiktok`); the JSON Schema says both."""

        def __class_getitem__(cls, item: Any) -> Any:
            return Annotated[list[item], BeforeValidator(to_list, json_schema_input_type=item | list[item])]


def _secret(value: Any) -> SecretStr:
    return SecretStr(to_text(value))


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


Text = Annotated[str, BeforeValidator(to_text)]
Name = Annotated[str, BeforeValidator(to_text), AfterValidator(_not_blank)]
WholeNumber = Annotated[int, BeforeValidator(to_whole_number)]
PositiveId = Annotated[int, BeforeValidator(to_whole_number), AfterValidator(_positive)]
Number = Annotated[float, BeforeValidator(to_number)]
Flag = Annotated[bool, BeforeValidator(to_flag)]
Secret = Annotated[SecretStr, BeforeValidator(_secret)]
FilePath = Annotated[Path, BeforeValidator(lambda value: Path(_not_blank(to_text(value))))]


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, nothing is coerced, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=False)
