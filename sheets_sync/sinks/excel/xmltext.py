"""Small, exact edits of XML held as text: read and set attributes on one start tag.

Template parts are edited as text rather than parsed and re-serialised so that everything we do
not mean to change (namespace prefixes, attribute order, extension lists) stays byte for byte.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import unescape

from sheets_sync.errors import TemplateError

_ATTR_CACHE: dict[str, re.Pattern[str]] = {}


def _attr_pattern(name: str) -> re.Pattern[str]:
    pattern = _ATTR_CACHE.get(name)
    if pattern is None:
        pattern = re.compile(r'(\s)' + re.escape(name) + r'\s*=\s*("([^"]*)"|\'([^\']*)\')')
        _ATTR_CACHE[name] = pattern
    return pattern


def get_attr(tag: str, name: str) -> str | None:
    """Return the unescaped value of attribute `name` in start tag `tag`, or None."""
    match = _attr_pattern(name).search(tag)
    if match is None:
        return None
    raw = match.group(3) if match.group(3) is not None else match.group(4)
    return unescape(raw, {"&quot;": '"', "&apos;": "'"})


def set_attr(tag: str, name: str, value: str) -> str:
    """Return start tag `tag` with attribute `name` set to the already-escaped `value`."""
    pattern = _attr_pattern(name)
    if pattern.search(tag):
        return pattern.sub(lambda m: f'{m.group(1)}{name}="{value}"', tag, count=1)
    end = len(tag) - 2 if tag.endswith("/>") else len(tag) - 1
    return f'{tag[:end]} {name}="{value}"{tag[end:]}'


def remove_attr(tag: str, name: str) -> str:
    """Return start tag `tag` without attribute `name`."""
    return _attr_pattern(name).sub("", tag, count=1)


def find_start_tag(xml: str, local_name: str, start: int = 0) -> re.Match[str] | None:
    """Find the first start tag whose local name is `local_name` (any or no namespace prefix)."""
    return re.compile(r"<(?:[A-Za-z_][\w.-]*:)?" + re.escape(local_name) + r"\b[^>]*>").search(xml, start)


def require_start_tag(xml: str, local_name: str) -> re.Match[str]:
    """Like `find_start_tag`, for an element the part cannot lack; a part without it is a broken template."""
    match = find_start_tag(xml, local_name)
    if match is None:
        raise TemplateError(f"a template part has no <{local_name}> element")
    return match
