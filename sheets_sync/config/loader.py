"""Loads a config file: YAML → `${ENV}` → strict models → cross-key checks → `Config`, or every problem."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from sheets_sync.config.checks import check_config, raw_checks
from sheets_sync.config.interpolate import interpolate
from sheets_sync.config.models import Config, Destination, ReportConfig
from sheets_sync.config.problems import Finding, problem_at, problems_from_validation
from sheets_sync.config.resolve import resolve_config
from sheets_sync.config.yamlread import KeyPath, YamlDocument, format_path, read_yaml, with_quote_hints
from sheets_sync.errors import ConfigError, ConfigProblem, Severity
from sheets_sync.redaction import register_secret

_WHOLE_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass
class CheckResult:
    """What checking a config file found: the resolved config (None when unusable), problems, warnings."""

    config: Config | None
    problems: list[ConfigProblem] = field(default_factory=list)
    warnings: list[ConfigProblem] = field(default_factory=list)
    partial: Config | None = None   # the parts that validated, resolved, also when `config` is None
    report_indexes: list[int] = field(default_factory=list)  # index in the file of each report of `partial`


def _secret_paths(data: object) -> list[KeyPath]:
    paths: list[KeyPath] = [("api", "client_secret"), ("alerts", "smtp", "password")]
    destinations = data.get("destinations") if isinstance(data, dict) else None
    for name, value in (destinations or {}).items() if isinstance(destinations, dict) else ():
        if isinstance(value, dict) and isinstance(value.get("email"), dict):
            paths.append(("destinations", name, "email", "smtp", "password"))
    return paths


def _lookup(data: object, path: KeyPath) -> object:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _check_secrets(doc: YamlDocument, from_env: set[KeyPath], unset: set[str]) -> None:
    for path in _secret_paths(doc.data):
        value = _lookup(doc.data, path)
        if isinstance(value, str) and format_path(path) not in unset:
            register_secret(value)  # even a literal one: it must never reach a log line
            if path not in from_env or not _WHOLE_REFERENCE.fullmatch(doc.raw.get(path, "")):
                doc.problems.append(problem_at(doc, path, "a secret must come from the environment: write "
                                                          "${VARIABLE_NAME} and set that variable"))


def _apply_env_defaults(doc: YamlDocument, env: Mapping[str, str]) -> None:
    """`api.client_id` / `api.client_secret` left out of the file fall back to LATER_CLIENT_ID / _SECRET."""
    if not isinstance(doc.data, dict):
        return
    api = doc.data.get("api")
    if api is None:
        api = doc.data["api"] = {}
    if not isinstance(api, dict):
        return
    for key, variable in (("client_id", "LATER_CLIENT_ID"), ("client_secret", "LATER_CLIENT_SECRET")):
        if key not in api and env.get(variable):
            api[key] = env[variable]
            if key == "client_secret":
                register_secret(env[variable])


_CREDENTIALS = (("client_id", "LATER_CLIENT_ID", "client id"),
                ("client_secret", "LATER_CLIENT_SECRET", "client secret"))


def _missing_credentials(doc: YamlDocument, unset: set[str]) -> None:
    """Without a client id and secret every request fails (after retries): say so before any run."""
    api = doc.data.get("api") if isinstance(doc.data, dict) else None
    if not isinstance(api, dict):
        return  # `api` is not a mapping: reported as such
    for key, variable, what in _CREDENTIALS:
        path = ("api", key)
        if format_path(path) in unset:
            continue  # its ${VAR} is not set: already reported
        value = api.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            where = path if key in api else ("api",)
            doc.problems.append(ConfigProblem(doc.file, *doc.mark(where), format_path(path),
                                              f"{what} missing: set the environment variable {variable}, "
                                              f"or write api.{key}: ${{VARIABLE}}"))


def _written_paths(data: dict[str, Any]) -> dict[KeyPath, str]:
    """Path values of destinations as written (after ${VAR}), for messages that quote them."""
    written: dict[KeyPath, str] = {}
    destinations = data.get("destinations")
    for name, value in destinations.items() if isinstance(destinations, dict) else ():
        for key in ("template", "output", "credentials"):
            if isinstance(value, dict) and isinstance(value.get(key), str):
                written[("destinations", name, key)] = value[key]
    return written


def check_config_file(path: str | os.PathLike[str], env: Mapping[str, str] | None = None,
                      now: dt.datetime | None = None) -> CheckResult:
    """Every problem `load_config` would raise, plus warnings, and the config when it is usable."""
    env = os.environ if env is None else env
    path = Path(path)
    doc = read_yaml(path, str(path))
    if doc.data is None:
        return CheckResult(None, sorted_problems(doc.problems))
    if not isinstance(doc.data, dict):
        doc.problems.append(problem_at(doc, (), "expected a mapping of keys at the top of the file"))
        return CheckResult(None, sorted_problems(doc.problems))
    before = len(doc.problems)
    from_env = interpolate(doc, env)
    unset = {p.path for p in doc.problems[before:]}  # keys whose ${VAR} failed: their value means nothing yet
    _check_secrets(doc, from_env, unset)
    _apply_env_defaults(doc, env)
    _missing_credentials(doc, unset)
    usable = True
    indexes: list[int] | None = None
    broken: set[str] = set()
    invalid: dict[int, set[str | int]] = {}
    try:
        raw = Config.model_validate(doc.data)
    except ValidationError as exc:
        doc.problems += [p for p in problems_from_validation(exc, Config, doc) if p.path not in unset]
        # keep checking what did validate, so one run shows every problem
        usable = False
        raw, indexes, broken, invalid = salvage(doc.data)
    base_dir = path.parent.resolve()
    raw._source = path.resolve()
    raw._marks = doc.marks
    raw._written = _written_paths(doc.data)
    cfg = resolve_config(raw, base_dir)
    warnings: list[ConfigProblem] = []
    now = now or dt.datetime.now(dt.UTC)
    reported = [p.path for p in doc.problems]
    found = check_config(raw, cfg, now, indexes=indexes, broken=broken, invalid=invalid)
    for key_path, message, severity in (Finding(*item) for item in [*found, *raw_checks(doc.data, cfg)]):
        if overlaps(format_path(key_path), reported):
            continue  # the key is already reported as invalid; a second message would only confuse
        problem = problem_at(doc, key_path, message, severity)
        (warnings if severity == "warning" else doc.problems).append(problem)
    cfg._warnings = tuple(sorted_problems(warnings))
    return CheckResult(cfg if usable else None, sorted_problems(with_quote_hints(doc)), list(cfg._warnings),
                       partial=cfg, report_indexes=list(range(len(raw.reports))) if indexes is None else indexes)


def _partial(validate: Any, value: Any) -> tuple[Any, set[str | int]]:
    """(`value` without its invalid keys, those keys) if the rest validates; else (None, keys)."""
    try:
        validate(value)
        return value, set()
    except ValidationError as exc:
        if not isinstance(value, dict):
            return None, set()
        tag = value.get("type")
        # a discriminated union puts its tag first in the location: skip it to reach the key
        bad = {loc[1] if loc[0] == tag and len(loc) > 1 else loc[0]
               for loc in (tuple(error["loc"]) for error in exc.errors()) if loc}
        if "type" in bad:
            return None, bad
        trimmed = {k: v for k, v in value.items() if k not in bad}
    try:
        validate(trimmed)
    except ValidationError:
        return None, bad
    return trimmed, bad


def salvage(data: dict[str, Any]) -> tuple[Config, list[int], set[str], dict[int, set[str | int]]]:
    """The parts of an invalid config that validate on their own (invalid keys left out), for the cross-key checks.

    Returns the partial config, the original index of each kept report, the names of destinations
    that could not be kept (so references to them are not reported as unknown), and per report
    index the keys left out (so they are not also reported as missing).
    """
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if key not in ("reports", "destinations"):
            part, _ = _partial(lambda v, key=key: Config.model_validate({key: v}), value)
            if part is not None:
                kept[key] = part
    destinations, broken = {}, set()
    adapter: TypeAdapter[Destination] = TypeAdapter(Destination)
    for name, value in (data.get("destinations") or {}).items() if isinstance(data.get("destinations"), dict) else ():
        part, _ = _partial(adapter.validate_python, value)
        if part is None:
            broken.add(name)
        else:
            destinations[name] = part
    reports, indexes, invalid = [], [], {}
    for index, value in enumerate(data.get("reports") or []) if isinstance(data.get("reports"), list) else ():
        part, invalid[index] = _partial(ReportConfig.model_validate, value)
        if part is not None:
            reports.append(part)
            indexes.append(index)
    partial = Config.model_validate({**kept, "destinations": destinations, "reports": reports})
    return partial, indexes, broken, invalid


def overlaps(path: str, reported: list[str]) -> bool:
    """Whether key path `path` is, contains or lies inside one of the `reported` key paths."""
    return any(path == other or path.startswith((other + ".", other + "[")) or
               other.startswith((path + ".", path + "[")) for other in reported if other)


def sorted_problems(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    """`problems` without duplicates, in file order (line, column, key path)."""
    unique = list(dict.fromkeys(problems))  # a problem found twice (inherited values) is reported once
    return sorted(unique, key=lambda p: (p.line, p.column, p.path))


def load_config(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Config:
    """The validated, resolved config at `path`; raises `ConfigError` listing every problem."""
    result = check_config_file(path, env)
    if result.problems or result.config is None:
        raise ConfigError(result.problems)
    return result.config


def problem_at_config(cfg: Config, path: KeyPath, message: str, file: str | None = None,
                      severity: Severity = "error") -> ConfigProblem:
    """A problem located through the line index kept on a loaded `Config`."""
    line, column = cfg.location(path)
    return ConfigProblem(file or str(cfg.source or ""), line, column, format_path(path), message, severity)
