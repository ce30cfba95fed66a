"""`${NAME}` interpolation of string values from the environment; `$${` writes a literal `${`.

A value substituted into a secret key, or taken from a variable whose name looks secret, is
registered with `redaction.register_secret` as it is substituted, before any problem text that
could quote it is built; `ConfigProblem.__str__` redacts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sheets_sync.config.yamlread import Ambiguous, KeyPath, YamlDocument, format_path
from sheets_sync.errors import ConfigProblem
from sheets_sync.redaction import register_secret

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL", re.IGNORECASE)


def looks_secret(variable: str) -> bool:
    """True for an environment variable whose name says it holds a secret (…_SECRET, …_TOKEN, API_KEY, …)."""
    return bool(_SECRET_NAME.search(variable))


def is_secret_path(path: KeyPath) -> bool:
    """True for the keys that hold secrets: api.client_secret, destinations.*.email.smtp.password and
    alerts.smtp.password."""
    return path in (("api", "client_secret"), ("alerts", "smtp", "password")) or (
        len(path) == 5 and path[0] == "destinations" and path[2:] == ("email", "smtp", "password"))


def interpolate(doc: YamlDocument, env: Mapping[str, str]) -> set[KeyPath]:
    """Replace references in `doc.data` in place; returns the key paths whose value came from the environment.

    Problems (missing variable, malformed reference) are appended to `doc.problems`.
    """
    from_env: set[KeyPath] = set()
    doc.data = _walk(doc.data, (), doc, env, from_env)
    return from_env


def _walk(value: Any, path: KeyPath, doc: YamlDocument, env: Mapping[str, str], from_env: set[KeyPath]) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, path + (k,), doc, env, from_env) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, path + (i,), doc, env, from_env) for i, v in enumerate(value)]
    if isinstance(value, str) and "$" in value and not isinstance(value, Ambiguous):
        return _substitute(value, path, doc, env, from_env)
    return value


def _substitute(text: str, path: KeyPath, doc: YamlDocument, env: Mapping[str, str],
                from_env: set[KeyPath]) -> str:
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(text[position:match.start()])
        position = match.end()
        if match.group(0) == "$${":
            out.append("${")
            continue
        name = match.group(1)
        if not match.group(0).endswith("}") or not _NAME.fullmatch(name or ""):
            _problem(doc, path, f"malformed reference {match.group(0)}; write ${{NAME}} "
                                "(letters, digits, _), or $${ for a literal ${")
            continue
        if name not in env:
            _problem(doc, path, f"environment variable {name} is not set")
            continue
        from_env.add(path)
        if is_secret_path(path) or looks_secret(name):
            register_secret(env[name])  # before any problem quotes it (a secret put in base_url, say)
        out.append(env[name])
    out.append(text[position:])
    return "".join(out)


def _problem(doc: YamlDocument, path: KeyPath, message: str) -> None:
    line, column = doc.mark(path)
    doc.problems.append(ConfigProblem(doc.file, line, column, format_path(path), message))
