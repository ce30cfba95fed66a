"""Renders the Markdown config reference (every key: type, default, meaning) from the models' JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from sheets_sync.config.compare import COMPARE_GUIDE
from sheets_sync.config.modes import MODES_GUIDE
from sheets_sync.config.schema import config_json_schema
from sheets_sync.dates import PRESETS
from sheets_sync.paths import PLACEHOLDERS, STRFTIME_CODES

# (heading, schema definition name, introduction); order is the order of a config file
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Top level", "Config", "Keys at the top of the file."),
    ("`api`", "ApiConfig", "How to reach the Reporting API."),
    ("`defaults`", "DefaultsConfig", "Inherited by every report that does not set the key itself."),
    ("`destinations.NAME` with `type: excel`", "ExcelDestinationConfig", "A workbook; all its reports are its tabs."),
    ("`destinations.NAME` with `type: csv`", "CsvDestinationConfig", "One CSV file per report."),
    ("`destinations.NAME` with `type: google_sheets`", "GoogleSheetsDestinationConfig",
     "A spreadsheet; one tab per report."),
    ("`destinations.NAME.email`", "EmailConfig", "Email the workbook after each run that wrote it (excel only): "
     "the workbook attached, each tab summarised in the body. A send that fails fails the run (exit 1); the "
     "workbook stays written."),
    ("`destinations.NAME.email.smtp`, `alerts.smtp`", "SmtpConfig", "The sending server. TLS certificates are "
     "always verified; a server without STARTTLS gets no login and no message unless `security: none`."),
    ("`alerts`", "AlertsConfig", "Email when a scheduled run fails (once, not per retry) and once when it "
     "recovers."),
    ("`reports[]`", "ReportConfig", "One entry per report."),
    ("`reports[].filters`", "FiltersConfig", "API filters (snake_case here, camelCase on the wire)."),
    ("`reports[].sort`", "SortConfig", "Server-side order; ranking endpoints only."),
    ("`reports[].columns[]`", "ColumnConfig", "Also accepted: just the field path as text. Each field must be one "
     "the endpoint returns (`sheets-sync endpoints ENDPOINT` lists them); `validate` and `run` refuse any other "
     "unless it is marked `extra: true`."),
    ("`date_range: {last: ...}`", "LastPeriodConfig", "A window ending before today (or today)."),
    ("`date_range: {start: ..., end: ...}`", "FixedRangeConfig",
     "Fixed dates; `end` at most `start` + 2 calendar years."),
    ("`schedule: {every: ...}`", "EveryScheduleConfig", "A fixed interval instead of a cron expression."),
)

NOTES = f"""\
Date range presets: {', '.join(f'`{p}`' for p in PRESETS)}. Weeks are ISO weeks (Monday to
Sunday); "last N days" ends yesterday unless `include_today: true`; `{{last: N, unit: weeks|months}}`
means the N complete weeks/months before the current one. Ranges resolve in `timezone`; `end` may
be at most `start` + 2 calendar years (inclusive; 29 February + 2 years is 28 February).

Placeholders in `output` and `email.subject`: {', '.join(f'`{{{p}}}`' for p in PLACEHOLDERS)}; dates
take a strftime format (`{{end_date:%Y-%m}}`) of portable codes ({' '.join(f'`%{c}`' for c in STRFTIME_CODES)});
any other code is refused. A value that starts with `{{` must be quoted (`output: "{{report}}.csv"`):
unquoted, YAML reads it as a mapping. In file names, placeholder values cannot add folders
(`/`, `\\`, `..` become `_`) and a value the logs would mask (a secret) becomes `masked`.
Relative paths resolve against the config file's folder. Fixed dates must exist (`2026-02-30` is refused).
No two outputs may be one file: a csv destination written by several reports needs `{{report}}` in
`output`, and two destinations may not resolve to the same path (compared after normalising, and
ignoring case). A csv `output` ends in `.csv`, an excel one in `.xlsx` or `.xlsm`.

Editor completion: save the schema with `python -m sheets_sync schema > sheets-sync.schema.json`
and start the config with `# yaml-language-server: $schema=./sheets-sync.schema.json` (VS Code's
YAML extension and other yaml-language-server editors then complete and check keys as you type).

`${{NAME}}` in any text value reads the environment variable NAME (`$${{` writes a literal `${{`);
`api.client_secret` and `smtp.password` must be written that way. A client id and secret are required:
in `api` or from LATER_CLIENT_ID / LATER_CLIENT_SECRET. Values of secret keys, and of variables named
like secrets (…SECRET, …PASSWORD, …TOKEN, …KEY, …CREDENTIAL…), are masked in every message.
Where text is expected, write
values YAML 1.1 would read as something else in quotes: `"no"`, `"012"`, `"8:30"`.
"""


_SECTION_OF = {name: heading.split(" with ")[0] for heading, name, _ in SECTIONS}
_SECTION_OF.update(LastPeriodConfig="`{last: ...}`", FixedRangeConfig="`{start: ..., end: ...}`",
                   EveryScheduleConfig="`{every: ...}`")


def _type_text(node: dict[str, Any]) -> str:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f"mapping, see {_SECTION_OF.get(name, name)}"
    for key in ("anyOf", "oneOf"):
        if key in node:
            parts = [_type_text(n) for n in node[key] if n.get("type") != "null"]
            return " or ".join(dict.fromkeys(parts))
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        values = node["enum"]
        shown = ", ".join(f"`{v}`" for v in values[:8])
        return f"one of {shown}{', …' if len(values) > 8 else ''}"
    if node.get("type") == "array":
        return f"list of {_type_text(node.get('items', {}))}"
    if node.get("type") == "object":
        return f"mapping of name → {_type_text(node['additionalProperties'])}" \
            if isinstance(node.get("additionalProperties"), dict) else "mapping"
    names = {"string": "text", "integer": "whole number", "number": "number", "boolean": "true/false"}
    text: str = names.get(node.get("type", ""), node.get("type", "any"))
    bounds = [f"≥ {node['minimum']}" if "minimum" in node else "",
              f"≤ {node['maximum']}" if "maximum" in node else "",
              f"> {node['exclusiveMinimum']}" if "exclusiveMinimum" in node else ""]
    return text + (f" ({', '.join(b for b in bounds if b)})" if any(bounds) else "")


def _default(node: dict[str, Any], required: bool) -> str:
    if required:
        return "required"
    if "default" not in node or node["default"] in (None, [], {}) or isinstance(node["default"], dict):
        return "–"
    return f"`{json.dumps(node['default'])}`"


def render() -> str:
    """The whole reference as Markdown."""
    schema = config_json_schema()
    definitions = {**schema.get("$defs", {}), "Config": schema}
    lines = ["# Config reference", "", "Generated from the config models by "
             "`sheets_sync.config.render_config_reference()`; do not edit by hand.", ""]
    for heading, name, intro in SECTIONS:
        model = definitions[name]
        lines += [f"## {heading}", "", intro, "", "| key | type | default | meaning |", "|---|---|---|---|"]
        required = set(model.get("required", ()))
        for key, node in model.get("properties", {}).items():
            description = node.get("description", "").replace("|", "\\|")
            lines.append(f"| `{key}` | {_type_text(node)} | {_default(node, key in required)} | {description} |")
        lines.append("")
    lines += ["## Write modes: `mode`, `key`, `lookback`", "", MODES_GUIDE, ""]
    lines += ["## Comparison periods: `compare`", "", COMPARE_GUIDE, ""]
    lines += ["## Notes", "", NOTES]
    return "\n".join(lines)
