"""Field masks (`a/b`, `a.b`, `a(b,c)`, `*`): parsing, applying to a message, projecting a response."""

from __future__ import annotations

from typing import Any

Path = tuple[str, ...]


class FieldMaskError(ValueError):
    """The mask does not parse."""


def parse_mask(mask: str) -> list[Path]:
    """`gridProperties/rowCount,userEnteredFormat(textFormat,padding)` → the list of field paths."""
    paths, pos = _parse_list(mask.replace(" ", ""), 0, ())
    if pos != len(mask.replace(" ", "")):
        raise FieldMaskError(mask)
    return paths


def _parse_list(text: str, pos: int, prefix: Path) -> tuple[list[Path], int]:
    paths: list[Path] = []
    while True:
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        name = text[start:pos]
        if not name:
            raise FieldMaskError(text)
        parts = tuple(p for p in name.replace("/", ".").split(".") if p)
        if not parts:
            raise FieldMaskError(text)
        if pos < len(text) and text[pos] == "(":
            inner, pos = _parse_list(text, pos + 1, prefix + parts)
            if pos >= len(text) or text[pos] != ")":
                raise FieldMaskError(text)
            pos += 1
            paths.extend(inner)
        else:
            paths.append(prefix + parts)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return paths, pos


def _get(message: dict[str, Any], path: Path) -> tuple[bool, Any]:
    node: Any = message
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    return True, node


def apply_mask(target: dict[str, Any], source: dict[str, Any], paths: list[Path]) -> dict[str, Any]:
    """A new dict: `target` with each path set from `source` (removed when `source` lacks it); `*` takes `source`.

    Only the dicts along each path are copied; the leaves are shared, so callers treat messages as immutable.
    """
    if ("*",) in paths:
        return dict(source)
    result = dict(target)
    for path in paths:
        found, value = _get(source, path)
        node = result
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                if not found:
                    break
                child = {}
            node[key] = child = dict(child)
            node = child
        else:
            if found:
                node[path[-1]] = value
            else:
                node.pop(path[-1], None)
    return result


def names_path(mask: str, path: Path) -> bool:
    """Whether the mask asks for `path` or something inside it (`sheets.data.columnMetadata` names sheets.data)."""
    return any(p[:len(path)] == path for p in parse_mask(mask))


def _tree(paths: list[Path]) -> dict[str, Any]:
    """Paths as a nested dict; a None leaf keeps the whole field."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for key in path[:-1]:
            existing = node.get(key, {})
            if existing is None:  # a parent already kept whole
                break
            node = node.setdefault(key, existing)
        else:
            node[path[-1]] = None
    return tree


def project(value: Any, mask: str) -> Any:
    """The partial response `fields=mask` asks for (lists are projected element by element)."""
    paths = parse_mask(mask)
    if any(path == ("*",) for path in paths):
        return value
    return _project(value, _tree(paths))


def _project(value: Any, tree: dict[str, Any] | None) -> Any:
    if tree is None:
        return value
    if isinstance(value, list):
        return [_project(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, sub in tree.items():
        if key in value:  # a present message stays, even when none of the asked fields is set in it
            result[key] = _project(value[key], sub)
    return result
