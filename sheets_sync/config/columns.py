"""Each `columns:` field is one the report's endpoint returns (from the catalogue), or is marked `extra: true`.

A column whose field the API never sends would come out empty in every row, so it is a config problem,
located at the field and with a did-you-mean: a typo (`campaignNmae`), a member under the wrong parent
(`creator.handleName` on posts, where it is `creatorProfile.handleName`), a `metrics.` prefix on a field
that is not a metric (or its absence on one that is). A field the API sends beyond the catalogue is
written `{field: newField, extra: true}`: not checked, and an empty column if the API does not send it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from sheets_sync.catalogue import METRICS_PREFIX, V1_FIELDS, V2_ONLY_FIELDS, Endpoint
from sheets_sync.config.problems import Finding, warning
from sheets_sync.config.reports import ColumnConfig, ReportConfig

Found = tuple[tuple[str | int, ...], str] | Finding   # (key path, message) is an error; a Finding may warn

EXTRA_HINT = "if the API sends it beyond the catalogue, add extra: true"


def check_columns(at: tuple[str | int, ...], written: ReportConfig, report: ReportConfig,
                  version: str = "v2") -> Iterator[Found]:
    """Problems of the report's `columns:` fields against what its endpoint returns, as (key path, message)."""
    endpoint = report.endpoint_info
    requested = list(report.metrics or ()) if endpoint.has_metrics_param else None
    returned = endpoint.field_paths(requested, version)
    known = set(returned)
    for number, column in enumerate(written.columns or ()):
        where = at + ("columns", number, "field")
        if column.extra:
            if column.field in known:
                yield warning(at + ("columns", number, "extra"),
                              f"extra: true is not needed, {endpoint.name} returns {column.field}")
            continue
        if column.field not in known:
            yield where, field_problem(column, endpoint, returned, version)


def field_problem(column: ColumnConfig, endpoint: Endpoint, returned: tuple[str, ...], version: str) -> str:
    """Why `column.field` cannot be filled from `endpoint`'s rows, with the closest field it may have meant."""
    path = column.field
    name = path.removeprefix(METRICS_PREFIX)
    if path.startswith(METRICS_PREFIX) and endpoint.has_metrics_param and name in endpoint.metrics:
        return f"{name} is not among this report's metrics; add it to metrics: or remove this column"
    if version == "v1" and path in V2_ONLY_FIELDS.get(endpoint.name, ()):
        return f"the v1 API (api.version: v1) does not send {path}; remove this column or use api.version: v2"
    if version != "v1" and path in V1_FIELDS.get(endpoint.name, ()):
        return f"only the v1 API (api.version: v1) sends {path}; {EXTRA_HINT}"
    hint = suggestion(path, returned)
    if path.startswith(METRICS_PREFIX) and not endpoint.has_metrics_param:
        what = f"{endpoint.name} has no metrics; its fields sit at the top level"
    elif path.startswith(METRICS_PREFIX) and METRICS_PREFIX + name not in endpoint.field_paths():
        what = f'"{name}" is not a metric of {endpoint.name}'
    else:
        what = f'{endpoint.name} returns no field "{path}"'
    shown = f' (did you mean "{hint}"?)' if hint else f"; its fields: {_listed(returned)}"
    return f"{what}{shown}; {EXTRA_HINT}"


def suggestion(path: str, returned: tuple[str, ...]) -> str | None:
    """The field `path` most likely meant: the same name under another parent or prefix, else the closest spelling."""
    leaf = path.rsplit(".", 1)[-1].lower()
    same_leaf = [p for p in returned if p.rsplit(".", 1)[-1].lower() == leaf]
    if same_leaf:
        return same_leaf[0]
    close = difflib.get_close_matches(path, returned, n=1, cutoff=0.6)
    if close:
        return close[0]
    by_leaf = {p.rsplit(".", 1)[-1].lower(): p for p in returned}
    close = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.75)
    return by_leaf[close[0]] if close else None


def _listed(paths: tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (f", … ({len(paths) - limit} more)" if len(paths) > limit else "")
