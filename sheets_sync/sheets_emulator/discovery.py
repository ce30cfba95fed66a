"""Checks Sheets API v4 request bodies, queries and responses against Google's discovery document (sheets.v4.json).

The document ships inside the google-api-python-client wheel (a test dependency). Without that package
`load_sheets_validator` returns None and the emulator runs without schema validation.

Rules, as Google's proto3 JSON front end applies them: JSON nulls mean "not set" and are dropped first;
an unknown field name is an error; int32 fields are integral and in range; enums are closed; `Request`
and `ExtendedValue` are one-of unions (exactly one kind set); query parameters come from each method's
`parameters` map plus the API-wide ones, booleans case-insensitive; `valueInputOption` is required by
the value writes; field masks (`a/b`, `a.b`, `a(b,c)`, `*`) name fields of the schema they update.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCUMENT_PARTS = ("discovery_cache", "documents", "sheets.v4.json")
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
# Schemas whose value is a one-of union in the proto (the discovery format has no one-of marker).
ONEOF_UNIONS = {"Request": "kind", "ExtendedValue": "value", "Response": "kind"}
# Methods whose description says the caller must pick valueInputOption (query, or body for batchUpdate).
VALUE_INPUT_REQUIRED_IN_QUERY = frozenset({"sheets.spreadsheets.values.update", "sheets.spreadsheets.values.append"})
VALUE_INPUT_REQUIRED_IN_BODY = frozenset({"sheets.spreadsheets.values.batchUpdate",
                                          "sheets.spreadsheets.values.batchUpdateByDataFilter"})
UNSPECIFIED_INPUT = "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED"
# The schema a request's `fields` mask is relative to, where it is not the request's one message field.
CELL_MASKS = {"AppendCellsRequest": "CellData", "RepeatCellRequest": "CellData", "UpdateCellsRequest": "CellData"}
MASK_CONTEXT_FIELDS = frozenset({"range", "dataFilters", "dataSourceSheetRange", "start"})
# Methods whose HTTP body binds to one field of the request message: Google's paths start with its name.
BODY_FIELDS = {"sheets.spreadsheets.values.update": "data", "sheets.spreadsheets.values.append": "data"}

Validator = Callable[[str, Mapping[str, Sequence[str]], Any], "str | None"]


@dataclass(frozen=True)
class FieldViolation:
    """One reason a request is invalid: the field path Google names and the sentence it gives."""

    field: str
    description: str


def discovery_document_path() -> Path | None:
    """Where the installed google-api-python-client keeps sheets.v4.json, or None when it is not installed."""
    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent.joinpath(*DOCUMENT_PARTS)
    return path if path.is_file() else None


def load_sheets_validator() -> DiscoveryValidator | None:
    """A validator over the installed discovery document, or None when google-api-python-client is absent."""
    path = discovery_document_path()
    if path is None:
        return None
    return DiscoveryValidator(json.loads(path.read_text(encoding="utf-8")))


def strip_nulls(value: Any) -> Any:
    """The value with every object member whose value is JSON null removed (proto3: null means not set)."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def snake_case(name: str) -> str:
    """A JSON field name as the proto field name Google's messages use (sheetId -> sheet_id)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def parse_field_mask(mask: str) -> list[list[str]]:
    """The paths of a field mask in any of Google's syntaxes: `a/b,c`, `a.b`, `a(b,c/d)`; `*` is a path too.

    Raises ValueError on unbalanced parentheses or an empty path.
    """
    paths, end = _parse_mask_list(mask.replace(" ", ""), 0)
    if end != len(mask.replace(" ", "")):
        raise ValueError(f"unexpected ')' at {end}")
    return paths


def _parse_mask_list(text: str, pos: int) -> tuple[list[list[str]], int]:
    paths: list[list[str]] = []
    while True:
        match = re.compile(r"[A-Za-z0-9_*]+(?:[./][A-Za-z0-9_*]+)*").match(text, pos)
        if match is None:
            raise ValueError(f"empty path at {pos}")
        prefix = re.split(r"[./]", match.group(0))
        pos = match.end()
        if pos < len(text) and text[pos] == "(":
            inner, pos = _parse_mask_list(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise ValueError("unclosed '('")
            pos += 1
            paths.extend(prefix + sub for sub in inner)
        else:
            paths.append(prefix)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return paths, pos


class DiscoveryValidator:
    """Validates requests and responses of the Sheets API against its discovery document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.schemas: Mapping[str, Mapping[str, Any]] = document["schemas"]
        self.revision = str(document.get("revision", ""))
        self.global_parameters: Mapping[str, Mapping[str, Any]] = document.get("parameters", {})
        self.methods: dict[str, Mapping[str, Any]] = dict(_methods(document.get("resources", {})))
        self._routes = [(m["httpMethod"], _path_pattern(m["path"]), method_id) for method_id, m in self.methods.items()]

    def method_id_for(self, http_method: str, raw_path: str) -> str | None:
        """The discovery id of the method an HTTP request calls (`/v4/spreadsheets/X:batchUpdate` ->
        sheets.spreadsheets.batchUpdate), or None for a path the Sheets API does not have."""
        path = raw_path.split("?", 1)[0].lstrip("/")
        for verb, pattern, method_id in self._routes:
            if verb == http_method.upper() and pattern.fullmatch(path):
                return method_id
        return None

    def __call__(self, method_id: str, query: Mapping[str, Sequence[str]], body: Any) -> str | None:
        """Google's 400 message for an invalid request (one line per violation), or None when it is valid."""
        found = self.violations(method_id, query, body)
        return "\n".join(v.description for v in found) if found else None

    def violations(self, method_id: str, query: Mapping[str, Sequence[str]], body: Any) -> list[FieldViolation]:
        """Every reason the request is invalid, in the order Google reports them (query, then body)."""
        method = self.methods.get(method_id)
        if method is None:
            return []
        found = self._query_violations(method_id, method, query)
        request = method.get("request")
        if request is not None:
            payload = strip_nulls({} if body is None or body == b"" else body)
            if not isinstance(payload, dict):
                found.append(FieldViolation("", "Invalid JSON payload received. Expected an object, got "
                                                f"{_shown(payload)}."))
            else:
                root = [BODY_FIELDS[method_id]] if method_id in BODY_FIELDS else []
                found.extend(_BodyCheck(self.schemas, for_response=False).message(payload, request["$ref"], root))
                if method_id in VALUE_INPUT_REQUIRED_IN_BODY and payload.get("valueInputOption") in (
                        None, "INPUT_VALUE_OPTION_UNSPECIFIED"):
                    found.append(FieldViolation("value_input_option", UNSPECIFIED_INPUT))
        return found

    def response_problems(self, method_id: str, body: Any) -> list[str]:
        """Why a response body does not match the method's response schema (empty when it matches)."""
        method = self.methods.get(method_id)
        if method is None or "response" not in method:
            return [f"no response schema for {method_id}"]
        if not isinstance(body, dict):
            return [f"the response is not an object: {_shown(body)}"]
        check = _BodyCheck(self.schemas, for_response=True)
        return [v.description for v in check.message(body, method["response"]["$ref"], [])]

    def _query_violations(self, method_id: str, method: Mapping[str, Any],
                          query: Mapping[str, Sequence[str]]) -> list[FieldViolation]:
        found: list[FieldViolation] = []
        declared = {**self.global_parameters, **method.get("parameters", {})}
        for name, values in query.items():
            spec = declared.get(name)
            if spec is None or spec.get("location") != "query":
                found.append(FieldViolation(name, f'Invalid JSON payload received. Unknown name "{name}": Cannot '
                                                  f"bind query parameter. Field '{name}' could not be found in "
                                                  "request message."))
                continue
            for value in values:
                problem = _query_value_problem(name, spec, value)
                if problem:
                    found.append(FieldViolation(snake_case(name), problem))
        if method_id in VALUE_INPUT_REQUIRED_IN_QUERY:
            chosen = [v for v in query.get("valueInputOption", []) if v]
            if not chosen or chosen[-1] == "INPUT_VALUE_OPTION_UNSPECIFIED":
                found.append(FieldViolation("value_input_option", UNSPECIFIED_INPUT))
        return found


def _methods(resources: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for resource in resources.values():
        for method in resource.get("methods", {}).values():
            yield method["id"], method
        yield from _methods(resource.get("resources", {}))


def _path_pattern(template: str) -> re.Pattern[str]:
    """A discovery path template (`v4/spreadsheets/{spreadsheetId}/values/{range}:append`) as a regex."""
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+?" if part.startswith("{") else re.escape(part) for part in parts))


def _query_value_problem(name: str, spec: Mapping[str, Any], value: str) -> str | None:
    kind = spec.get("type")
    where = f"Invalid value at '{snake_case(name)}'"
    if kind == "boolean" and value.lower() not in ("true", "false"):
        return f'{where} (TYPE_BOOL), "{value}"'
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return f'{where} (TYPE_INT32), "{value}"'
    if "enum" in spec and value not in spec["enum"]:
        return f'{where} (type.googleapis.com/google.apps.sheets.v4.{name[:1].upper()}{name[1:]}), "{value}"'
    return None


def _shown(value: Any) -> str:
    """A JSON value as Google quotes it in 'Invalid value' messages."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


class _BodyCheck:
    """One walk over a JSON body against a discovery schema, collecting violations."""

    def __init__(self, schemas: Mapping[str, Mapping[str, Any]], *, for_response: bool) -> None:
        self.schemas = schemas
        self.for_response = for_response

    def message(self, value: dict[str, Any], schema_name: str, path: list[str]) -> list[FieldViolation]:
        schema = self.schemas[schema_name]
        properties: Mapping[str, Any] = schema.get("properties", {})
        found: list[FieldViolation] = []
        where = _proto_path(path)
        for name in value:
            if name not in properties:
                at = f" at '{where}'" if where else ""
                found.append(FieldViolation(where, f'Invalid JSON payload received. Unknown name "{name}"{at}: '
                                                   "Cannot find field."))
        union = ONEOF_UNIONS.get(schema_name)
        if union is not None:
            found.extend(self._union(value, schema_name, union, path))
        for name, item in value.items():
            if name in properties:
                found.extend(self.field(item, properties[name], [*path, name]))
        masked = properties.get("fields", {}).get("format") == "google-fieldmask"
        if masked and not self.for_response:
            found.extend(self._mask(value, schema_name, properties, path))
        return found

    def field(self, value: Any, spec: Mapping[str, Any], path: list[str]) -> list[FieldViolation]:
        if "$ref" in spec:
            if not isinstance(value, dict):
                return [_invalid(path, f"type.googleapis.com/google.apps.sheets.v4.{spec['$ref']}", value)]
            return self.message(value, spec["$ref"], path)
        kind = spec.get("type")
        if kind == "array":
            if not isinstance(value, list):
                return [_invalid(path, _list_type(spec), value)]
            found: list[FieldViolation] = []
            for index, item in enumerate(value):
                found.extend(self.field(item, spec["items"], [*path[:-1], f"{path[-1]}[{index}]"]))
            return found
        if kind == "object" and "additionalProperties" in spec:
            if not isinstance(value, dict):
                return [_invalid(path, "type.googleapis.com/google.protobuf.Struct", value)]
            found = []
            for key, item in value.items():
                found.extend(self.field(item, spec["additionalProperties"], [*path[:-1], f"{path[-1]}[{key}]"]))
            return found
        problem = _scalar_problem(value, spec)
        return [_invalid(path, problem, value)] if problem else []

    def _union(self, value: dict[str, Any], schema_name: str, union: str, path: list[str]) -> list[FieldViolation]:
        kinds = [name for name in value if name in self.schemas[schema_name].get("properties", {})]
        where = _proto_path(path)
        if len(kinds) > 1:
            return [FieldViolation(where, f"Invalid value at '{where}' (oneof), oneof field '{union}' is already set. "
                                          f"Cannot set '{kinds[1]}'")]
        if not kinds and not value and not self.for_response:
            return [FieldViolation(where, f"Invalid {_api_path(path)}: no {union} of {schema_name} is set "
                                          "(exactly one must be).")]
        return []

    def _mask(self, value: dict[str, Any], schema_name: str, properties: Mapping[str, Any],
              path: list[str]) -> list[FieldViolation]:
        where = f"Invalid {_api_path(path)}"
        mask = value.get("fields")
        required = "At least one field must be specified" in properties["fields"].get("description", "")
        if not mask:
            return [FieldViolation(_proto_path([*path, "fields"]), f"{where}: At least one field must be specified.")] \
                if required else []
        target = _mask_target(schema_name, properties)
        if target is None:
            return []
        try:
            paths = parse_field_mask(str(mask))
        except ValueError as exc:
            return [FieldViolation(_proto_path([*path, "fields"]), f"{where}: Invalid field mask '{mask}' ({exc}).")]
        found: list[FieldViolation] = []
        for segments in paths:
            if segments == ["*"]:
                continue
            bad = self._mask_path_problem(segments, target)
            if bad:
                found.append(FieldViolation(_proto_path([*path, "fields"]),
                                            f"{where}: Invalid field mask path '{'.'.join(segments)}': {bad}"))
        return found

    def _mask_path_problem(self, segments: list[str], schema_name: str) -> str | None:
        spec: Mapping[str, Any] = {"$ref": schema_name}
        for depth, segment in enumerate(segments):
            while spec.get("type") == "array":
                spec = spec["items"]
            if segment == "*" and depth == len(segments) - 1:
                return None
            if "$ref" in spec:
                properties = self.schemas[spec["$ref"]].get("properties", {})
                if segment not in properties:
                    return f"{spec['$ref']} has no field '{segment}'."
                spec = properties[segment]
            elif spec.get("type") == "object" and "additionalProperties" in spec:
                spec = spec["additionalProperties"]
            else:
                return f"'{segments[depth - 1]}' has no sub-fields."
        return None


def _mask_target(schema_name: str, properties: Mapping[str, Any]) -> str | None:
    if schema_name in CELL_MASKS:
        return CELL_MASKS[schema_name]
    refs = [spec["$ref"] for name, spec in properties.items() if "$ref" in spec and name not in MASK_CONTEXT_FIELDS]
    return refs[0] if len(refs) == 1 else None


def _scalar_problem(value: Any, spec: Mapping[str, Any]) -> str | None:
    """The proto type Google names when `value` does not fit the scalar field `spec`, else None."""
    kind, fmt = spec.get("type"), spec.get("format")
    if kind == "any":
        return None
    if kind == "string":
        if not isinstance(value, str):
            return "TYPE_STRING"
        if "enum" in spec and value not in spec["enum"]:
            return "enum"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else "TYPE_BOOL"
    if kind == "integer":
        number = _as_number(value)
        ok = number is not None and math.isfinite(number) and number == int(number) and INT32_MIN <= number <= INT32_MAX
        return None if ok else "TYPE_INT32"
    if kind == "number":
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return None
        return None if _as_number(value) is not None else ("TYPE_FLOAT" if fmt == "float" else "TYPE_DOUBLE")
    return None


def _as_number(value: Any) -> float | None:
    """A JSON number, or a string holding one (proto3 JSON accepts both), as a float; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _list_type(spec: Mapping[str, Any]) -> str:
    items = spec.get("items", {})
    if "$ref" in items:
        return f"type.googleapis.com/google.apps.sheets.v4.{items['$ref']}"
    return "type.googleapis.com/google.protobuf.ListValue"


def _invalid(path: list[str], type_name: str, value: Any) -> FieldViolation:
    where = _proto_path(path)
    if type_name == "enum":
        type_name = f"type.googleapis.com/google.apps.sheets.v4.{path[-1][:1].upper()}{path[-1][1:]}"
    return FieldViolation(where, f"Invalid value at '{where}' ({type_name}), {_shown(value)}")


def _proto_path(path: list[str]) -> str:
    """A field path the way Google's proto-layer messages spell it: requests[0].update_sheet_properties.sheet_id."""
    return ".".join(snake_case(part) for part in path)


def _api_path(path: list[str]) -> str:
    """A field path the way Sheets' semantic messages spell it: requests[0].updateSheetProperties."""
    return ".".join(path)
