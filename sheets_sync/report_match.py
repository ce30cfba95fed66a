"""Matches report names typed on the command line (`--report`) to the config's: exactly, ignoring case, or by slug."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

from sheets_sync.errors import UsageError


def match_report_names(wanted: Sequence[str], known: Sequence[str]) -> list[str]:
    """The config's spelling of each name in `wanted`, in the order given, duplicates dropped.

    A name matches exactly, else ignoring case and surrounding spaces, else by its slug (the form used in
    file names, `campaign-roi` for "Campaign ROI"), as long as that finds one report only. Every name that
    matches no report is reported at once in a UsageError that suggests the closest names.
    """
    from sheets_sync.config.reports import slugify

    matched: list[str] = []
    unknown: list[str] = []
    for name in wanted:
        found = _match(name, known, slugify)
        if found is None:
            unknown.append(name)
        elif found not in matched:
            matched.append(found)
    if unknown:
        raise UsageError("; ".join(_unknown(name, known) for name in unknown)
                         + f"; the config has: {', '.join(map(repr, known))}")
    return matched


def _match(name: str, known: Sequence[str], slugify: Callable[[str], str]) -> str | None:
    if name in known:
        return name
    for key in (_folded, slugify):
        hits = [k for k in known if key(k) == key(name)]
        if len(hits) == 1:
            return hits[0]
    return None


def _folded(name: str) -> str:
    return name.strip().casefold()


def _unknown(name: str, known: Sequence[str]) -> str:
    lowered = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(name.casefold(), list(lowered), n=2, cutoff=0.6)
    typed = _folded(name)
    if not close and typed:  # a word of a longer name ("trend" for "Weekly trend") is too short for difflib
        close = [k for k in lowered if typed in k][:2]
    hint = f" (did you mean {' or '.join(repr(lowered[c]) for c in close)}?)" if close else ""
    return f"no report named {name!r}{hint}"
