"""Fuzzing the command line: random argument vectors and configs built from the config's JSON Schema never
end in a traceback; every outcome is an exit code of 0, 1 or 2 with readable lines.

Runs in-process through `cli.main`; `run` talks to the session emulator. The number of examples is
bounded so the file takes well under 30 s; SHEETS_SYNC_FUZZ_EXAMPLES=N multiplies it for a deeper hunt.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync import redaction
from sheets_sync.catalogue import ENDPOINTS
from sheets_sync.cli import BUG_HINT, main
from sheets_sync.config import config_json_schema
from sheets_sync.history import RunHistory, RunRecord, sqlite_url

SCALE = int(os.environ.get("SHEETS_SYNC_FUZZ_EXAMPLES", "1"))
# The same examples on every run (a red test is reproducible); a scaled-up hunt draws new ones each time.
FUZZ = settings(deadline=None, derandomize=SCALE == 1, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])
SCHEMA = config_json_schema()
DEFS = SCHEMA["$defs"]

ENDPOINT_NAMES = [e.name for e in ENDPOINTS]
METRICS = sorted({m for e in ENDPOINTS for m in e.metrics})
# Strings a user plausibly writes, so generated configs reach the deeper checks and not only type errors.
INTERESTING = [
    *ENDPOINT_NAMES, *METRICS[:40], "campaignName", "campaignId", "creator.fullName", "metrics.impressions",
    "metrics.nope", "startDate", "last_7_days", "last_90_days", "this_week", "yesterday", "2026-02-30",
    "2026-06-01", "1999-01-01", "0 6 * * *", "*/5 * * * *", "61 * * * *", "15m", "1d", "out/{report}.csv",
    "out/{end_date:%Y-%m}.xlsx", "{end_date:%Q}", "{nope}.csv", "../../escape.csv", "a/b/../c.xlsx", "x.txt",
    "UTC", "Europe/London", "Mars/Olympus", "${UNSET_VARIABLE}", "${LATER_CLIENT_ID}", "$${literal}", "${",
    "sqlite:///h.sqlite", "sqlite://", "postgresql+psycopg2://u:p@db.invalid/db", "notaurl://",
    "mysql+pymysql://db.invalid/db",
    "postgresql+asyncpg://db.invalid/db", "state", "state/sub", "fuzz.yaml",
    "instagram", "tiktok", "INSTAGRAM_POST", "post_date", "performance_date", "week", "month", "ASC", "DESC",
    "replace", "upsert", "append", "v1", "v2", "page", "cursor", "auto", "starttls", "a@b.example", "not-an-email",
    "", " ", "no", "yes", "on", "012", "8:30", "=HYPERLINK(\"x\")", "🔥 emoji", "مرحبا", "\x00", "a" * 300,
]
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.sampled_from(INTERESTING),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(INTERESTING[:20]), inner, max_size=3),
    max_leaves=6)


def from_schema(node: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values shaped by a JSON Schema node, sometimes off its bounds, sometimes of the wrong type altogether."""
    return st.one_of(_shaped(node, depth), JSON_VALUE) if depth else _shaped(node, depth)


def _shaped(node: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "$ref" in node:
        return st.deferred(lambda: from_schema(DEFS[node["$ref"].rsplit("/", 1)[-1]], depth + 1))
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return st.one_of([from_schema(option, depth + 1) for option in node[key]])
    kind = node.get("type")
    if isinstance(kind, list):
        return st.one_of([_shaped({**node, "type": k}, depth) for k in kind])
    if kind == "string":
        return st.sampled_from(INTERESTING) | st.text(max_size=12)
    if kind == "integer":
        low, high = node.get("minimum", node.get("exclusiveMinimum", -5)), node.get("maximum", 10**5)
        return st.integers(int(low) - 2, int(high) + 2)
    if kind == "number":
        return st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 700)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(node.get("items", {}), depth + 1), max_size=3)
    if kind == "object" or "properties" in node:
        return _object(node, depth)
    return JSON_VALUE


def _object(node: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    properties = node.get("properties", {})
    if not properties and isinstance(node.get("additionalProperties"), dict):
        names = st.sampled_from(["book", "flat", "sheet", "Flat", "x"]) | st.text(min_size=1, max_size=6)
        return st.dictionaries(names, from_schema(node["additionalProperties"], depth + 1), max_size=2)
    required = set(node.get("required", ()))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or draw(st.integers(0, 3)) == 0:
                if name in required and draw(st.integers(0, 19)) == 0:
                    continue  # now and then a required key is missing
                value[name] = draw(from_schema(sub, depth + 1))
        if draw(st.integers(0, 9)) == 0:
            value[draw(st.sampled_from(["unknown_key", "metric", "destinations_", "tabs"]))] = draw(JSON_VALUE)
        return value

    return build()


CONFIGS = from_schema(SCHEMA)
RUNNABLE_REPORT = {"name": "Campaigns", "endpoint": "campaigns/performance", "metrics": ["impressions"],
                   "date_range": {"start": "2026-06-01", "end": "2026-06-30"}, "destination": "flat"}


def runnable(config: Any) -> dict[str, Any]:
    """`config` made safe to run: the API is the emulator, every file stays in the config's folder."""
    data = dict(config) if isinstance(config, dict) else {}
    api = data.get("api") if isinstance(data.get("api"), dict) else {}
    data["api"] = {**api, "base_url": "${LATER_API_URL}", "client_id": "${LATER_CLIENT_ID}",
                   "client_secret": "${LATER_CLIENT_SECRET}", "requests_per_minute": 100000, "timeout_seconds": 10,
                   "max_concurrency": 2}
    destinations = data.get("destinations") if isinstance(data.get("destinations"), dict) else {}
    safe: dict[str, Any] = {"flat": {"type": "csv", "output": "out/{report}.csv"}}
    for number, (name, destination) in enumerate(destinations.items()):
        if isinstance(destination, dict):
            kind = destination.get("type")
            suffix = {"excel": "xlsx", "csv": "csv"}.get(kind if isinstance(kind, str) else "", "csv")
            safe[str(name)] = {**{k: v for k, v in destination.items() if k not in ("template", "credentials")},
                               "output": f"out/d{number}-{{report}}.{suffix}"}
    data["destinations"] = safe
    reports = data.get("reports") if isinstance(data.get("reports"), list) else []
    data["reports"] = [RUNNABLE_REPORT, *reports[:2]]
    state_dir, state_url = data.get("state_dir"), data.get("state_url")
    if not (isinstance(state_dir, str) and state_dir.strip() and _inside(state_dir)):
        data["state_dir"] = "state"
    if isinstance(state_url, str) and not _inside(state_url.removeprefix("sqlite:///")):
        data.pop("state_url")  # .invalid hosts never resolve, so other URLs reach no network
    return data


def _inside(path: str) -> bool:
    """True for a relative path that stays inside the folder it is relative to."""
    return not Path(path).is_absolute() and ".." not in Path(path).parts and not path.startswith(("~", "/", "\\"))


@contextmanager
def isolated_secrets() -> Iterator[None]:
    """Secrets registered by one example (a random client_secret such as "instances") are forgotten after it:
    the registry is process-wide, and a masked word would corrupt other tests' messages and this one's checks."""
    before = set(redaction._secrets)
    try:
        yield
    finally:
        with redaction._lock:
            redaction._secrets.clear()
            redaction._secrets.update(before)


def _assert_no_traceback(code: int, out: str, err: str) -> None:
    assert "Traceback" not in err and BUG_HINT not in err, err
    assert code in (0, 1, 2), (code, out, err)


@pytest.fixture
def emulator_env(emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The API variables point at the session emulator; the current folder is a scratch folder."""
    monkeypatch.setenv("LATER_API_URL", emulator.url)
    monkeypatch.setenv("LATER_CLIENT_ID", "demo-client")
    monkeypatch.setenv("LATER_CLIENT_SECRET", "demo-secret")
    monkeypatch.delenv("UNSET_VARIABLE", raising=False)
    monkeypatch.chdir(tmp_path)


@settings(FUZZ, max_examples=120 * SCALE)
@given(config=CONFIGS)
def test_validate_of_any_schema_shaped_config_ends_in_lines_not_a_traceback(
        config: Any, emulator_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    """validate on configs drawn from the JSON Schema (off-bounds and wrong-typed values mixed in): exit 0 or 2."""
    with isolated_secrets(), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        code = main(["validate", str(path)])
    captured = capsys.readouterr()
    _assert_no_traceback(code, captured.out, captured.err)
    assert code in (0, 2)


@settings(FUZZ, max_examples=25 * SCALE)
@given(config=CONFIGS, dry_run=st.booleans())
def test_run_of_any_schema_shaped_config_ends_in_lines_not_a_traceback(
        config: Any, dry_run: bool, emulator_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    """run against the emulator (outputs kept in a scratch folder), then history --config: never a traceback."""
    with isolated_secrets(), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(runnable(config), allow_unicode=True, sort_keys=False), encoding="utf-8")
        code = main(["run", str(path), *(["--dry-run"] if dry_run else [])])
        captured = capsys.readouterr()
        _assert_no_traceback(code, captured.out, captured.err)
        code = main(["history", "--config", str(path)])
        captured = capsys.readouterr()
        _assert_no_traceback(code, captured.out, captured.err)


@settings(FUZZ, max_examples=40 * SCALE)
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_validate_of_arbitrary_text_ends_in_lines_not_a_traceback(
        text: str, emulator_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    """A config file holding any text at all (broken YAML, control characters, tabs): a located problem, exit 2."""
    with isolated_secrets(), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        code = main(["validate", str(path)])
    captured = capsys.readouterr()
    _assert_no_traceback(code, captured.out, captured.err)


COMMANDS = ["run", "validate", "preview", "history", "endpoints", "schema"]
OPTIONS = ["--report", "--rows", "--dry-run", "--limit", "--config", "--log-level", "--json-logs", "--version",
           "--help", "-h", "--", "-", "--output-dir", "--rows=0", "--limit=-3", "--log-level=trace", "--report="]


@pytest.fixture
def argument_files(emulator_env: None, tmp_path: Path) -> dict[str, str]:
    """Paths an argument may name: a runnable config, a broken one, a list, an empty file, a folder, nothing."""
    files = {"good": tmp_path / "good.yaml", "broken": tmp_path / "broken.yaml", "list": tmp_path / "list.yaml",
             "empty": tmp_path / "empty.yaml", "binary": tmp_path / "binary.yaml"}
    files["good"].write_text(yaml.safe_dump(runnable({})), encoding="utf-8")
    files["broken"].write_text("reports: [\n  - name: {unclosed\n", encoding="utf-8")
    files["list"].write_text("- a\n- b\n", encoding="utf-8")
    files["empty"].write_text("", encoding="utf-8")
    files["binary"].write_bytes(b"\xff\xfe\x00garbage\x9c")
    moment = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
    for state in (tmp_path / ".sheets-sync", tmp_path / "state"):  # `history` and `history --config good.yaml`
        history = RunHistory(sqlite_url(state))
        history.record([RunRecord(run_id="r", started_at=moment, finished_at=moment, report="Campaigns",
                                  status="failed", error="boom =1+1 🔥", output="out/x.csv")])
        history.close()
    named = {k: str(v) for k, v in files.items()}
    named.update(folder=str(tmp_path), missing=str(tmp_path / "missing.yaml"), nested=str(files["good"] / "x"))
    return named


@settings(FUZZ, max_examples=150 * SCALE)
@given(data=st.data())
def test_random_argument_vectors_end_in_lines_not_a_traceback(
        data: st.DataObject, argument_files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Any mix of commands, options, paths, numbers and text on the command line: exit 0, 1 or 2, never a bug."""
    token = st.one_of(st.sampled_from(COMMANDS), st.sampled_from(OPTIONS),
                      st.sampled_from(list(argument_files.values())),
                      st.sampled_from(["0", "-1", "5", "99999999999999999999", "1e3", "DEBUG", "error", "Campaigns",
                                       "campaigns", "creators/performance", "nope/route", "🔥", "\x00"]),
                      st.text(max_size=8))
    argv = data.draw(st.lists(token, max_size=6))
    if data.draw(st.booleans()):
        argv = [data.draw(st.sampled_from(COMMANDS)), *argv]  # most vectors start like a real command
    argv = [a for a in argv if a not in ("demo", "emulator")]  # both serve or write for real; tested on their own
    with isolated_secrets():
        code = main(argv)
    captured = capsys.readouterr()
    _assert_no_traceback(code, captured.out, captured.err)
