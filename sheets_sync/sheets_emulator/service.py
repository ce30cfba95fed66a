"""The emulated service: routes a raw HTTP request to Sheets v4 / Drive v3 methods over the in-memory spreadsheets."""

from __future__ import annotations

import datetime as dt
import json
import random
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from sheets_sync.sheets_emulator import a1, batch, values
from sheets_sync.sheets_emulator.errors import CONTENT_TYPE, ApiError, invalid, not_found, permission_denied
from sheets_sync.sheets_emulator.faults import Faults
from sheets_sync.sheets_emulator.fieldmask import FieldMaskError, names_path, project
from sheets_sync.sheets_emulator.model import Sheet, Spreadsheet, grid_range_json, new_spreadsheet
from sheets_sync.sheets_emulator.quota import Quota, QuotaLimits
from sheets_sync.sheets_emulator.ranges import resolve_a1
from sheets_sync.sheets_emulator.render import effective_value, formatted_value

Json = dict[str, Any]
# (method id, query, JSON body with object nulls dropped, or None) → a Google 400 message, or None when valid
Validator = Callable[[str, Mapping[str, list[str]], Any], str | None]
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
_ID_CHARS = string.ascii_letters + string.digits + "-_"


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request: method, raw path (still percent-encoded, no query), decoded query, headers, body."""

    method: str
    path: str
    query: Mapping[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


@dataclass(frozen=True)
class ApiResponse:
    """The answer: status, body bytes, content type."""

    status: int
    body: bytes
    content_type: str = CONTENT_TYPE

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class LoggedRequest:
    """What the request log keeps of one request (never its body, only the body's size)."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    body_bytes: int
    status: int
    timestamp: float
    method_id: str


@dataclass(frozen=True)
class _Route:
    method_id: str
    spreadsheet_id: str = ""
    range_text: str = ""
    extra: str = ""  # a Drive file id or a sheet id for copyTo

    @property
    def is_write(self) -> bool:
        return not self.method_id.endswith((".get", ".batchGet", ".list"))


class SheetsService:
    """In-memory spreadsheets behind Google's Sheets v4 and Drive v3 routes; thread-safe.

    Knobs: `quota` (limits, clock), `faults`, `validator`, `expand_anchor` (let a values write at an anchor-only
    range grow the grid instead of the strict 400), `set_access(key, shared=, writable=)`.
    """

    def __init__(self, *, validator: Validator | None = None, quota_limits: QuotaLimits | None = None,
                 clock: Callable[[], float] = time.monotonic, seed: int | None = None,
                 expand_anchor: bool = False, sleep: Callable[[float], None] = time.sleep) -> None:
        self.validator = validator
        self.quota = Quota(quota_limits, clock)
        self.faults = Faults()
        self.expand_anchor = expand_anchor
        self.requests_log: list[LoggedRequest] = []
        self._books: dict[str, Spreadsheet] = {}
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._sleep = sleep
        self._clock = clock

    # ---- direct access (tests, the CLI, the HTML view) ----

    def create_spreadsheet(self, key: str | None = None, title: str | None = None) -> str:
        """A new spreadsheet (one 1000×26 `Sheet1`, sheetId 0) under `key` (random when None); returns the key."""
        with self._lock:
            key = key or "".join(self._rng.choice(_ID_CHARS) for _ in range(44))
            if key in self._books:
                raise ValueError(f"spreadsheet {key} already exists")
            self._books[key] = new_spreadsheet(key, title or "Untitled spreadsheet", _now())
            return key

    def spreadsheets(self) -> list[Spreadsheet]:
        """Copies of every spreadsheet, in creation order (changing them changes nothing here)."""
        with self._lock:
            return [book.clone() for book in self._books.values()]

    def spreadsheet(self, key: str) -> Spreadsheet:
        """A copy of one spreadsheet; KeyError when there is none."""
        with self._lock:
            return self._books[key].clone()

    def set_access(self, key: str, *, shared: bool = True, writable: bool = True) -> None:
        """Unshared: every call answers 403; read-only: writes answer 403."""
        with self._lock:
            book = self._books[key]
            book.shared, book.writable = shared, writable

    def delete_spreadsheet(self, key: str) -> None:
        with self._lock:
            del self._books[key]

    # ---- HTTP entry point ----

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one request; every answer is logged."""
        try:
            route = _route(request.method, request.path)
        except ApiError as error:
            return self._log(request, "", _error(error))
        response = self._answer(request, route)
        return self._log(request, route.method_id, response)

    def _log(self, request: ApiRequest, method_id: str, response: ApiResponse) -> ApiResponse:
        with self._lock:
            self.requests_log.append(LoggedRequest(request.method, request.path, dict(request.query),
                                                   len(request.body), response.status, time.time(), method_id))
        return response

    def _validate(self, method_id: str, query: Mapping[str, list[str]], body: Any) -> None:
        """Raise Google's 400 for a request the validator refuses; with the fields it names, a BadRequest detail."""
        assert self.validator is not None
        listed = getattr(self.validator, "violations", None)  # a DiscoveryValidator names each field
        if listed is None:
            message = self.validator(method_id, query, body)
            if message is not None:
                raise invalid(message)
            return
        found = listed(method_id, query, body)
        if found:
            fields = [{"field": v.field, "description": v.description} for v in found if v.field]
            details = [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": fields}]
            raise ApiError(400, "\n".join(v.description for v in found), details if fields else None)

    def _answer(self, request: ApiRequest, route: _Route) -> ApiResponse:
        fault = self.faults.take()
        if self.faults.delay:
            self._sleep(self.faults.delay)
        if fault is not None:
            return _error(fault)
        try:
            # proto3 reads a JSON null as "not set": drop nulls from objects as they are decoded (list items stay)
            body = json.loads(request.body, object_hook=_without_nulls) if request.body.strip() else None
        except ValueError:
            return _error(invalid("Invalid JSON payload received."))
        try:
            if route.method_id.startswith("sheets."):
                self.quota.charge(write=route.is_write, user=_user(request))
            if self.validator is not None:
                self._validate(route.method_id, request.query, body)
            status, payload = self._dispatch(route, request.query, body if body is not None else {})
            fields = _one(request.query, "fields")
            if fields and payload is not None:
                payload = project(payload, fields)
        except ApiError as error:
            return _error(error)
        except FieldMaskError as error:
            return _error(invalid(f"Invalid field selection {error}"))
        if payload is None:
            return ApiResponse(status, b"")
        return ApiResponse(status, json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8"))

    def _dispatch(self, route: _Route, query: Mapping[str, list[str]], body: Any) -> tuple[int, Any]:
        method = route.method_id
        if method.startswith("drive."):
            return self._drive(route, query, body)
        if method == "sheets.spreadsheets.create":
            return 200, self._create_from_body(body)
        with self._lock:
            book = self._books.get(route.spreadsheet_id)
            if book is None:
                raise not_found()
            if not book.shared or (route.is_write and not book.writable):
                raise permission_denied()
            if not route.is_write:
                return 200, self._read(book, method, route, query)
            work = book.clone()
            result = self._write(work, method, route, query, body)
            work.modified_time = _now()
            self._books[route.spreadsheet_id] = work
            return 200, result

    def _read(self, book: Spreadsheet, method: str, route: _Route, query: Mapping[str, list[str]]) -> Any:
        if method == "sheets.spreadsheets.get":
            fields = _one(query, "fields") or ""
            grid = _bool(_one(query, "includeGridData")) or (bool(fields) and names_path(fields, ("sheets", "data")))
            return spreadsheet_json(book, grid=grid, ranges=query.get("ranges"))
        options = values.read_options(query)
        if method == "sheets.spreadsheets.values.get":
            return values.get(book, route.range_text, options)
        return values.batch_get(book, list(query.get("ranges") or []), options)

    def _write(self, book: Spreadsheet, method: str, route: _Route, query: Mapping[str, list[str]],
               body: Any) -> Any:
        if not isinstance(body, dict):
            raise invalid("Invalid JSON payload received. Expected an object.")
        if method == "sheets.spreadsheets.batchUpdate":
            requests = body.get("requests") or []
            if not isinstance(requests, list):
                raise invalid("Invalid JSON payload received. 'requests' must be a list.")
            replies = batch.apply_requests(book, requests, batch.BatchContext(self._rng))
            out: Json = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
            if body.get("includeSpreadsheetInResponse"):
                out["updatedSpreadsheet"] = spreadsheet_json(book, grid=bool(body.get("responseIncludeGridData")),
                                                             ranges=body.get("responseRanges"))
            return out
        if method == "sheets.spreadsheets.values.update":
            options = values.write_options(query, expand_anchor=self.expand_anchor)
            return values.update(book, route.range_text, body, options)
        if method == "sheets.spreadsheets.values.append":
            options = values.write_options(query, expand_anchor=self.expand_anchor)
            return values.append(book, route.range_text, body, options)
        if method == "sheets.spreadsheets.values.clear":
            return values.clear(book, route.range_text)
        if method == "sheets.spreadsheets.values.batchUpdate":
            return values.batch_update(book, body, self.expand_anchor)
        if method == "sheets.spreadsheets.values.batchClear":
            return values.batch_clear(book, body)
        assert method == "sheets.spreadsheets.sheets.copyTo"
        return self._copy_to(book, int(route.extra), body)

    def _copy_to(self, book: Spreadsheet, sheet_id: int, body: Json) -> Json:
        source = book.sheet_by_id(sheet_id)
        target = self._books.get(str(body.get("destinationSpreadsheetId", "")))
        if source is None or target is None:
            raise not_found()
        if not target.shared or not target.writable:
            raise permission_denied()
        work = target.clone()
        name, n = f"Copy of {source.title}", 2
        while work.sheet_by_title(name) is not None:
            name, n = f"Copy of {source.title} {n}", n + 1
        copied = source.clone()
        used = {s.sheet_id for s in work.sheets}
        new_id = next(i for i in iter(lambda: self._rng.randrange(1, 2**31 - 1), None) if i not in used)
        copied.properties.update(sheetId=new_id, title=name)
        work.sheets.append(copied)
        work.reindex()
        self._books[work.spreadsheet_id] = work
        return copied.properties_json()

    def _create_from_body(self, body: Any) -> Json:
        props = (body or {}).get("properties") or {}
        key = self.create_spreadsheet(title=props.get("title"))
        with self._lock:
            return spreadsheet_json(self._books[key], grid=False, ranges=None)

    # ---- Drive ----

    def _drive(self, route: _Route, query: Mapping[str, list[str]], body: Any) -> tuple[int, Any]:
        with self._lock:
            if route.method_id == "drive.files.create":
                mime = (body or {}).get("mimeType")
                if mime != SPREADSHEET_MIME:
                    raise invalid(f"The emulator creates only spreadsheets, not {mime!r}.")
                key = self.create_spreadsheet(title=(body or {}).get("name") or "Untitled spreadsheet")
                return 200, {"kind": "drive#file", "id": key, "name": self._books[key].title, "mimeType": mime}
            if route.method_id == "drive.files.list":
                wanted = _name_in_query(_one(query, "q") or "")
                files = [_drive_file(b) for b in self._books.values() if b.shared and wanted in (None, b.title)]
                return 200, {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
            book = self._books.get(route.extra)
            if book is None or not book.shared:
                raise ApiError(404, f"File not found: {route.extra}.")
            if route.method_id == "drive.files.delete":
                if not book.writable:
                    raise ApiError(403, "The user does not have sufficient permissions for this file.")
                del self._books[route.extra]
                return 204, None
            return 200, _drive_file(book)


def spreadsheet_json(book: Spreadsheet, *, grid: bool, ranges: Any) -> Json:
    """spreadsheets.get's answer; with `ranges`, only the tabs they name (and, with grid data, only those cells)."""
    wanted: dict[int, list[a1.Rect]] | None = None
    if ranges:
        wanted = {}
        for text in ranges:
            sheet, bounds = resolve_a1(book, str(text))
            rect = a1.clamp(bounds, sheet.rows, sheet.cols)
            wanted.setdefault(sheet.sheet_id, []).append(
                a1.Rect(rect.start_row, min(rect.end_row, sheet.rows), rect.start_col, min(rect.end_col, sheet.cols)))
    sheets = []
    for sheet in book.sheets:
        if wanted is not None and sheet.sheet_id not in wanted:
            continue
        rects = wanted[sheet.sheet_id] if wanted is not None else [sheet.grid()]
        sheets.append(sheet_json(sheet, rects if grid else None))
    out: Json = {"spreadsheetId": book.spreadsheet_id, "properties": book.properties, "sheets": sheets}
    if book.named_ranges:
        out["namedRanges"] = [batch.named_range_json(n) for n in book.named_ranges]
    out["spreadsheetUrl"] = book.spreadsheet_url()
    return out


def sheet_json(sheet: Sheet, grid_rects: list[a1.Rect] | None) -> Json:
    """One Sheet resource: properties, grid data when asked, merges, protected ranges, filter, groups."""
    out: Json = {"properties": sheet.properties_json()}
    if grid_rects is not None:
        out["data"] = [grid_data(sheet, rect) for rect in grid_rects]
    if sheet.merges:
        out["merges"] = [grid_range_json(sheet.sheet_id, m) for m in sheet.merges]
    if sheet.protected_ranges:
        out["protectedRanges"] = [batch.protected_range_json(p) for p in sheet.protected_ranges]
    if sheet.basic_filter:
        rng = sheet.basic_filter["range"]
        out["basicFilter"] = {**sheet.basic_filter, "range": grid_range_json(
            sheet.sheet_id, **{k: v for k, v in rng.items() if k != "sheetId"})}
    for key, rows in (("rowGroups", True), ("columnGroups", False)):
        groups = batch.groups_json(sheet, rows)
        if groups:
            out[key] = groups
    return out


def cell_json(cell: Json) -> Json:
    """A stored cell as Google returns it, with the computed effectiveValue and formattedValue."""
    out = dict(cell)
    effective = effective_value(cell)
    if effective is not None:
        out["effectiveValue"] = effective
    if cell.get("userEnteredValue"):
        out["formattedValue"] = formatted_value(cell)
    if "userEnteredFormat" in cell:
        out["effectiveFormat"] = cell["userEnteredFormat"]
    return out


def grid_data(sheet: Sheet, rect: a1.Rect) -> Json:
    """GridData for `rect`: rows of cells with trailing empties trimmed, plus row and column metadata."""
    present = sheet.cells_in(rect)
    out: Json = {}
    if rect.start_row:
        out["startRow"] = rect.start_row
    if rect.start_col:
        out["startColumn"] = rect.start_col
    if present:
        height = max(r for r, _c, _cell in present) - rect.start_row + 1
        rows: list[Json] = []
        by_row: dict[int, dict[int, Json]] = {}
        for r, c, cell in present:
            by_row.setdefault(r, {})[c] = cell
        for r in range(rect.start_row, rect.start_row + height):
            cells = by_row.get(r, {})
            if not cells:
                rows.append({})
                continue
            width = max(cells) - rect.start_col + 1
            columns = range(rect.start_col, rect.start_col + width)
            rows.append({"values": [cell_json(cells.get(c, {})) for c in columns]})
        out["rowData"] = rows
    out["rowMetadata"] = [{"pixelSize": 21, **sheet.row_meta.get(r, {})} for r in range(rect.start_row, rect.end_row)]
    out["columnMetadata"] = [{"pixelSize": 100, **sheet.column_meta.get(c, {})}
                             for c in range(rect.start_col, rect.end_col)]
    return out


# ---- routing and small helpers ----------------------------------------------------------------------------------

_SPREADSHEET_VERBS = {"batchUpdate": "sheets.spreadsheets.batchUpdate"}
_VALUES_BATCH = {("GET", "batchGet"): "sheets.spreadsheets.values.batchGet",
                 ("POST", "batchUpdate"): "sheets.spreadsheets.values.batchUpdate",
                 ("POST", "batchClear"): "sheets.spreadsheets.values.batchClear"}
_VALUES_VERBS = {("POST", "append"): "sheets.spreadsheets.values.append",
                 ("POST", "clear"): "sheets.spreadsheets.values.clear"}
_VALUES_PLAIN = {"GET": "sheets.spreadsheets.values.get", "PUT": "sheets.spreadsheets.values.update"}


def _route(method: str, raw_path: str) -> _Route:
    """Method id and path parameters from the raw (still percent-encoded) path; 404 for anything else."""
    path = raw_path.split("?", 1)[0]
    if path.startswith("/drive/v3/files"):
        rest = path[len("/drive/v3/files"):].strip("/")
        if not rest:
            return _Route({"POST": "drive.files.create", "GET": "drive.files.list"}.get(method, "")) if method in (
                "POST", "GET") else _fail()
        if "/" in rest or method not in ("GET", "DELETE"):
            _fail()
        return _Route("drive.files.get" if method == "GET" else "drive.files.delete", extra=unquote(rest))
    prefix = "/v4/spreadsheets"
    if not path.startswith(prefix):
        _fail()
    rest = path[len(prefix):]
    if rest in ("", "/"):
        return _Route("sheets.spreadsheets.create") if method == "POST" else _fail()
    rest = rest[1:]
    head, slash, tail = rest.partition("/")
    key, colon, verb = head.partition(":")
    key = unquote(key)
    if not slash:
        if not colon and method == "GET":
            return _Route("sheets.spreadsheets.get", key)
        if method == "POST" and verb in _SPREADSHEET_VERBS:
            return _Route(_SPREADSHEET_VERBS[verb], key)
        _fail()
    if colon:
        _fail()
    if tail.startswith("values:"):
        method_id = _VALUES_BATCH.get((method, tail[len("values:"):]))
        return _Route(method_id, key) if method_id else _fail()
    if tail.startswith("values/"):
        segment = tail[len("values/"):]
        text, sep, suffix = segment.rpartition(":")
        if sep and (method, suffix) in _VALUES_VERBS:
            return _Route(_VALUES_VERBS[(method, suffix)], key, unquote(text))
        if method in _VALUES_PLAIN and segment:
            return _Route(_VALUES_PLAIN[method], key, unquote(segment))
        _fail()
    if tail.startswith("sheets/") and tail.endswith(":copyTo") and method == "POST":
        sheet_id = tail[len("sheets/"):-len(":copyTo")]
        if sheet_id.isdigit():
            return _Route("sheets.spreadsheets.sheets.copyTo", key, extra=sheet_id)
    return _fail()


def _fail() -> _Route:
    raise ApiError(404, "Method not found.")


def _error(error: ApiError) -> ApiResponse:
    return ApiResponse(error.code, error.encoded())


def _without_nulls(obj: dict[str, Any]) -> dict[str, Any]:
    if None not in obj.values():
        return obj
    return {k: v for k, v in obj.items() if v is not None}


def _one(query: Mapping[str, list[str]], key: str) -> str | None:
    found = query.get(key)
    return found[0] if found else None


def _bool(text: str | None) -> bool:
    return (text or "").lower() == "true"


def _user(request: ApiRequest) -> str:
    """Whom a quota counts: the `quotaUser` parameter, else the bearer token, else one anonymous user."""
    quota_user = _one(request.query, "quotaUser")
    if quota_user:
        return quota_user
    auth = request.headers.get("authorization", "")
    return auth.removeprefix("Bearer ").strip() or "anonymous"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _drive_file(book: Spreadsheet) -> Json:
    return {"kind": "drive#file", "id": book.spreadsheet_id, "name": book.title, "mimeType": SPREADSHEET_MIME,
            "createdTime": book.created_time, "modifiedTime": book.modified_time}


def _name_in_query(q: str) -> str | None:
    """The title in a Drive `q` like `… and name = "Title"` (None: no name filter)."""
    marker = "name = "
    if marker not in q:
        return None
    value = q.split(marker, 1)[1].strip()
    if value[:1] in ("'", '"'):
        return value[1:].split(value[0], 1)[0]
    return value
