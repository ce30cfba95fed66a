"""`${NAME}` interpolation of string values from the environment; `$${` writes a literal `${`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sheets_sync.config.yamlread import Ambiguous, KeyPath, YamlDocument, format_path
from sheets_sync.errors import ConfigProblem

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
        out.append(env[name])
    out.append(text[position:])
    return "".join(out)


def _problem(doc: YamlDocument, path: KeyPath, message: str) -> None:
    line, column = doc.mark(path)
    doc.problems.append(ConfigProblem(doc.file, line, column, format_path(path), message))
