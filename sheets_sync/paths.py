"""Placeholder templates for output paths and email subjects, and output paths that cannot leave their folder.

Placeholders: `{report}` (the report's slug), `{destination}`, `{start_date}`, `{end_date}`,
`{run_date}`; dates take an optional strftime format, `{end_date:%Y-%m}` (plain: `2025-01-31`).

In a path, every substituted value (strftime results included) is made segment-safe: `/`, `\\`,
control characters and `..` become `_`, so data and formats can never add a folder or climb out of
one. The folder a path must stay in is the template's static folder part (the segments before
the first placeholder), resolved against the config file's folder.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sheets_sync.redaction import MASK as REDACTION_MASK
from sheets_sync.redaction import redact

PLACEHOLDERS: tuple[str, ...] = ("report", "destination", "start_date", "end_date", "run_date")
DATE_PLACEHOLDERS = frozenset({"start_date", "end_date", "run_date"})

MASK_IN_NAME = "masked"  # what stands for a masked value in a file name ("***" is not a legal name on Windows)
_UNSAFE = re.compile(r"[\\/\x00-\x1f\x7f]|\.\.+")
SAMPLE_VALUES: dict[str, Any] = {
    "report": "../../x/..\\y", "destination": "..", "start_date": dt.date(2025, 1, 1),
    "end_date": dt.date(2025, 12, 31), "run_date": dt.date(2026, 1, 2),
}

# Plausible values for comparing two outputs: if they render to one file with these, they will in a run.
COLLISION_SAMPLE_VALUES: dict[str, Any] = {
    "start_date": dt.date(2025, 1, 1), "end_date": dt.date(2025, 1, 31), "run_date": dt.date(2025, 2, 1),
}



def uses_placeholder(template: str, *names: str) -> bool:
    """True when the output template names any of the placeholders `names` (with or without a format).

    Raises:
        ValueError: the template's braces do not parse (reported by the path checks).
    """
    return any(field in names for _, field, _, _ in string.Formatter().parse(template))

def template_problems(template: str) -> list[str]:
    """Why `template` cannot be rendered (bad braces, unknown placeholder, bad format), or []."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [f"bad placeholder syntax ({exc}); write {{{{ and }}}} for literal braces"]
    problems: list[str] = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            from sheets_sync.config.fields import did_you_mean

            problems.append(f"unknown placeholder {{{name}}}{did_you_mean(name, PLACEHOLDERS)}; "
                            f"available: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
        elif conversion:
            problems.append(f"placeholder {{{name}!{conversion}}} cannot take a conversion")
        elif spec and name not in DATE_PLACEHOLDERS:
            problems.append(f"placeholder {{{name}}} takes no format; only dates do")
        elif spec:
            problem = strftime_problem(spec)
            if problem:
                problems.append(f"{{{name}:{spec}}}: {problem}")
    return problems


# The format codes every platform's strftime knows (C89 plus ISO weeks); anything else would be copied into
# the name as is ("%Q") on one system and fail or differ on another.
STRFTIME_CODES = "aAbBcdHIjmMpSUwWxXyYzZGuV%"
# Date codes worth suggesting when a code is unknown.
_COMMON_CODES = "%Y (year), %m (month), %d (day), %b (month name), %V (ISO week)"


def strftime_problem(spec: str) -> str | None:
    """Why the date format `spec` cannot be used in a name (an unknown or unfinished % code), or None."""
    index = 0
    while index < len(spec):
        if spec[index] != "%":
            index += 1
            continue
        code = spec[index + 1:index + 2]
        if not code:
            return "a date format cannot end with a lone %; write %% for a literal %"
        if code not in STRFTIME_CODES:
            return f"unknown date format code %{code}; use codes such as {_COMMON_CODES}"
        index += 2
    return None


def _format(name: str, spec: str, values: Mapping[str, Any]) -> str:
    value = values[name]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime(spec) if spec else value.isoformat()
    return format(value, spec) if spec else str(value)


def masked_value(value: str) -> str:
    """`value` with what the logs would mask replaced by `MASK_IN_NAME`.

    A secret inside a report name would otherwise become part of a file name on disk, while the logs,
    the summary and the history show it masked: masking it here makes all of them name the same file.
    """
    return redact(value).replace(REDACTION_MASK, MASK_IN_NAME)


def safe_segment(value: str) -> str:
    """`value` with path separators, control characters and `..` replaced by `_`."""
    cleaned = _UNSAFE.sub("_", value)
    return "_" if cleaned in ("", ".") else cleaned


def _static_folder(template: str) -> str:
    """The folder part of `template` before any segment holding a placeholder."""
    segments = re.split(r"[\\/]", template)
    static: list[str] = []
    for segment in segments[:-1]:
        if "{" in segment.replace("{{", ""):
            break
        static.append(segment)
    return "/".join(static) if static else ("/" if template.startswith(("/", "\\")) else ".")


def output_root(template: str, base_dir: Path) -> Path:
    """The folder every path rendered from `template` must stay inside."""
    return (Path(base_dir) / _static_folder(template)).resolve()


def resolve_output_path(template: str, base_dir: Path, values: Mapping[str, Any] | None = None,
                        **more_values: Any) -> Path:
    """Render `template` with segment-safe values; the result is guaranteed to lie inside `output_root`.

    Values come as a mapping, as keyword arguments, or both (`report=..., end_date=...`).

    Raises ValueError when it would not (which the load-time check makes unreachable for
    templates that passed validation) or when a placeholder has no value.
    """
    values = {**(values or {}), **more_values}
    out = []
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            if values.get(name) is None:
                raise ValueError(f"no value for placeholder {{{name}}}")
            out.append(safe_segment(masked_value(_format(name, spec or "", values))))
    rendered = "".join(out)
    root = output_root(template, base_dir)
    path = (Path(base_dir) / rendered).resolve()
    if path == root or not path.is_relative_to(root):
        raise ValueError(f"output path {rendered!r} would leave its folder {str(root)!r}")
    return path


def escape_problem(template: str, base_dir: Path) -> str | None:
    """Why `template` could write outside its folder (checked with hostile sample values), or None."""
    if template_problems(template):
        return None  # reported on their own
    try:
        resolve_output_path(template, base_dir, SAMPLE_VALUES)
    except ValueError:
        return "the output path must name a file inside its folder"
    return None
