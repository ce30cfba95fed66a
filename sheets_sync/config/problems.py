"""Turns pydantic validation errors into `ConfigProblem`s: clean key paths, YAML lines, readable messages."""

from __future__ import annotations

import types
import typing
from typing import Any, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sheets_sync.config.fields import did_you_mean
from sheets_sync.config.yamlread import KeyPath, YamlDocument, format_path
from sheets_sync.errors import ConfigProblem, Severity


class Finding(NamedTuple):
    """What a check found at a key path, before it is located in the file; a plain (path, message) is an error."""

    path: KeyPath
    message: str
    severity: Severity = "error"


def warning(path: KeyPath, message: str) -> Finding:
    """A finding that is printed and counted but stops nothing."""
    return Finding(path, message, "warning")


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional wrappers."""
    while True:
        if get_origin(tp) is typing.Annotated:
            tp = get_args(tp)[0]
            continue
        if get_origin(tp) in (Union, types.UnionType):
            members = [m for m in get_args(tp) if m is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def _tag_of(member: Any) -> str | None:
    if get_origin(member) is typing.Annotated:
        for meta in get_args(member)[1:]:
            if type(meta).__name__ == "Tag":
                return str(meta.tag)
    inner = _unwrap(member)
    if isinstance(inner, type) and issubclass(inner, BaseModel) and "type" in inner.model_fields:
        literal = get_args(inner.model_fields["type"].annotation)
        return str(literal[0]) if literal else None
    return None


def _field(model: type[BaseModel], key: Any) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def walk_loc(root: type[BaseModel], loc: tuple[Any, ...]) -> tuple[KeyPath, Any]:
    """(key path without union tags, the type expected at the parent of the last element)."""
    path: list[str | int] = []
    tp: Any = root
    parent: Any = None
    for element in loc:
        tp = _unwrap(tp) if tp is not None else None
        if get_origin(tp) in (Union, types.UnionType):
            chosen = next((m for m in get_args(tp) if _tag_of(m) == element), None)
            if chosen is not None:  # a union tag: not part of the user's key path
                tp = chosen
                continue
            tp = None
        parent = tp
        path.append(element)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = _field(tp, element)
            if info is None:
                tp = None
            else:  # the metadata may hold a discriminator the next element is a tag of
                tp = typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        elif get_origin(tp) in (list, tuple):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            tp = None
    return tuple(path), _unwrap(parent) if parent is not None else None


def _allowed_keys(model: Any) -> list[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [info.alias or name for name, info in model.model_fields.items()]
    return []


def _message(error: Any, path: KeyPath, parent: Any, doc: YamlDocument) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        key = str(path[-1])
        model_type = getattr(parent, "model_fields", {}).get("type")
        if model_type is not None and key not in _allowed_keys(parent):
            from sheets_sync.config.destinations import DESTINATION_KEYS

            if key in DESTINATION_KEYS:
                return f"does not apply to a {get_args(model_type.annotation)[0]} destination"
        allowed = _allowed_keys(parent)
        hint = did_you_mean(key, allowed)
        return "unknown key" + (hint or (f"; expected one of: {', '.join(allowed)}" if allowed else ""))
    if kind == "not_text":
        raw = doc.raw.get(path)
        if ctx.get("scalar") and raw is not None:
            return f'expected text, not {ctx["kind"]}; write "{raw}" (in quotes)'
        return f"expected text, not {ctx['kind']}"
    if kind == "literal_error":
        expected = [e.strip().strip("'") for e in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        value = error.get("input")
        got = f' "{value}"' if isinstance(value, str) else ""
        hint = did_you_mean(value, expected) if isinstance(value, str) else ""
        return f"unknown value{got}{hint}; expected one of: {', '.join(expected)}"
    if kind == "union_tag_invalid":
        expected = [e.strip().strip("'") for e in str(ctx.get("expected_tags", "")).split(",")]
        tag = str(ctx.get("tag"))
        return f'unknown destination type "{tag}"{did_you_mean(tag, expected)}; expected one of: {", ".join(expected)}'
    if kind == "union_tag_not_found":
        return "required key type is missing (excel, csv or google_sheets)"
    simple = {
        "list_type": "expected a list",
        "dict_type": "expected a mapping (key: value lines)",
        "model_type": "expected a mapping (key: value lines)",
        "model_attributes_type": "expected a mapping (key: value lines)",
        "bool_type": "expected true or false",
        "int_type": "expected a whole number",
        "float_type": "expected a number",
        "too_short": f"needs at least {ctx.get('min_length')} item{'s' if ctx.get('min_length') != 1 else ''}",
        "too_long": f"may have at most {ctx.get('max_length')} items",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "greater_than": f"must be greater than {ctx.get('gt')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "less_than": f"must be less than {ctx.get('lt')}",
    }
    if kind in simple:
        return simple[kind]
    return str(error["msg"]).removeprefix("Value error, ")


def problems_from_validation(error: ValidationError, root: type[BaseModel], doc: YamlDocument) -> list[ConfigProblem]:
    """One `ConfigProblem` per pydantic error, located at the key's line (a list item's first line)."""
    out: list[ConfigProblem] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        path, parent = walk_loc(root, loc)
        if item["type"] == "union_tag_not_found" or item["type"] == "union_tag_invalid":
            path = path + ("type",)
        line, column = doc.mark(path)
        out.append(ConfigProblem(doc.file, line, column, format_path(path), _message(item, path, parent, doc)))
    return out


def problem_at(doc: YamlDocument, path: KeyPath, message: str, severity: Severity = "error") -> ConfigProblem:
    """A problem (or warning) located at `path`'s line."""
    line, column = doc.mark(path)
    return ConfigProblem(doc.file, line, column, format_path(path), message, severity)
