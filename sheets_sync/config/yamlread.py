"""Reads a YAML config into plain Python values plus a key-path → (line, column) index, refusing unsafe input.

Why not `yaml.safe_load`: it silently turns `no` into False and `012` into 10, it keeps the last of two
duplicate keys, and it loses line numbers. We compose PyYAML's node tree (which keeps marks) and convert
it ourselves:

* plain scalars are resolved with YAML 1.2 core rules (`true`/`false`, decimal numbers, null) plus
  quote-free `YYYY-MM-DD` dates; a plain scalar that YAML 1.1 would read differently (`no`, `on`,
  `012`, `8:30`, `1_000`, `0x1F`) becomes an `Ambiguous` string, which the models refuse wherever it
  lands, asking for quotes (text) or an unambiguous spelling (numbers, booleans);
* explicit tags other than `!!str` are refused (config never constructs objects);
* duplicate keys are problems at the second key;
* values are counted as if every alias were expanded, while the document is composed, against a
  budget of `MAX_VALUES` values and `MAX_DEPTH` levels, so an alias bomb is refused after a
  bounded amount of work (milliseconds), at the line of the first alias;
* nesting is capped at `MAX_DEPTH` levels while composing (PyYAML's composer is recursive);
* the file is capped at `MAX_FILE_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from sheets_sync.errors import ConfigProblem

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 50_000      # far above any real config (a few hundred values), far below a bomb
MAX_DEPTH = 40

KeyPath = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
# `!!str` is the one useful explicit tag (text, whatever it looks like); `!` is YAML's "no tag".
_ALLOWED_TAGS = {None, "!", _STR_TAG, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_MERGE_KEY = "<<"
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_YAML11_BOOLS = {"y", "yes", "n", "no", "on", "off"}
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+)")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_OTHER_NUMBER = re.compile(r"[-+]?(0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*(\.[0-9_]*)?)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Ambiguous(str):
    """A plain scalar that YAML 1.1 and YAML 1.2 read differently; `reading` says how YAML 1.1 reads it."""

    reading: str

    def __new__(cls, text: str, reading: str) -> Ambiguous:
        obj = super().__new__(cls, text)
        obj.reading = reading
        return obj


@dataclass
class YamlDocument:
    """The converted document: `data` (None when unreadable), key-path marks, raw scalar text, problems."""

    file: str
    data: Any = None
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    raw: dict[KeyPath, str] = field(default_factory=dict)
    problems: list[ConfigProblem] = field(default_factory=list)
    # Flow mappings such as `{report}` (one key, no value): a placeholder meant as text, most likely.
    brace_values: dict[KeyPath, str] = field(default_factory=dict)

    def mark(self, path: KeyPath) -> tuple[int, int]:
        """The (line, column) of `path`, or of its nearest ancestor present in the file."""
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


class _Refused(Exception):
    """Stops conversion: the document cannot be read safely (bomb, recursion, depth)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


# libyaml's parser when present (much faster on large input); composing stays in Python so that
# tags, alias positions and the expansion budget are checked node by node.
# (`yaml.cyaml` imports CParser from `yaml._yaml`, the libyaml binding, without re-exporting it.)
try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]  # the pure-Python parser, same protocol

# The attribute the loader adds to a scalar node: whether its tag was written out (`!!str 1` is text).
_EXPLICIT = "explicit"


class _TaggingLoader(Composer, _Parser, BaseResolver):
    """Composes nodes without implicit typing, recording explicit tags and the first alias, within a budget.

    The budget counts values as if every alias were expanded, while composing, so an alias bomb
    is refused after a few thousand events instead of after reading the whole file.
    """

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        BaseResolver.__init__(self)
        self.bad_tags: list[tuple[int, int, str]] = []
        self.first_alias: tuple[int, int] | None = None
        self.expanded = 0
        self.depth = 0
        self.sizes: dict[int, int] = {}

    def _note_tag(self, event: Any) -> None:
        tag = event.tag
        if tag not in _ALLOWED_TAGS:
            self.bad_tags.append((event.start_mark.line + 1, event.start_mark.column + 1, tag))

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        is_alias = isinstance(event, yaml.AliasEvent)
        if is_alias and self.first_alias is None:
            self.first_alias = _event_mark(event)
        if self.depth >= MAX_DEPTH and isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            # refused before PyYAML's recursive composer can run out of stack (RecursionError)
            raise _Refused(*_event_mark(event), f"nesting deeper than {MAX_DEPTH} levels; refused")
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        assert node is not None  # the composer returns a node or raises; None is only the stub's wording
        if is_alias:  # an alias costs what its anchor expands to (1 while the anchor is still open)
            self.expanded += self.sizes.get(id(node), 1)
        else:
            self.expanded += 1
            children = node.value if isinstance(node, SequenceNode) else (
                [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else [])
            self.sizes[id(node)] = 1 + sum(self.sizes.get(id(child), 1) for child in children)
        if self.expanded > MAX_VALUES:
            raise _too_many(self.first_alias, node)
        return node

    def compose_scalar_node(self, anchor: Any) -> Any:
        event = self.peek_event()
        self._note_tag(event)
        node = super().compose_scalar_node(anchor)
        setattr(node, _EXPLICIT, isinstance(event, yaml.ScalarEvent) and event.tag not in (None, "!"))
        return node

    def compose_sequence_node(self, anchor: Any) -> Any:
        self._note_tag(self.peek_event())
        return super().compose_sequence_node(anchor)

    def compose_mapping_node(self, anchor: Any) -> Any:
        self._note_tag(self.peek_event())
        return super().compose_mapping_node(anchor)


def _too_many(first_alias: tuple[int, int] | None, node: Node) -> _Refused:
    if first_alias is None:
        line, column = _mark(node)
        return _Refused(line, column, f"the document has more than {MAX_VALUES:,} values; refused")
    return _Refused(*first_alias, f"the document expands to more than {MAX_VALUES:,} values (an alias bomb?); refused")


def _event_mark(event: yaml.Event | None) -> tuple[int, int]:
    """1-based (line, column) where a parser event starts; the parser sets the mark on every event it yields."""
    assert event is not None and event.start_mark is not None
    return event.start_mark.line + 1, event.start_mark.column + 1


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar's value: YAML 1.2 core types, dates, or `Ambiguous` where 1.1 differs."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text.lower() in _YAML11_BOOLS:
        return Ambiguous(text, "a boolean")
    if _INT.fullmatch(text):
        return int(text)
    if _LEADING_ZERO.fullmatch(text):
        return Ambiguous(text, "an octal number")
    if _SEXAGESIMAL.fullmatch(text):
        return Ambiguous(text, "a base-60 number")
    if _FLOAT.fullmatch(text):
        return float(text)
    if text.lower() in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text.lower()]
    if _OTHER_NUMBER.fullmatch(text):
        return Ambiguous(text, "a number")
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    return text


class _Converter:
    """Turns a composed node graph into Python values, indexing marks and enforcing the budget."""

    def __init__(self, doc: YamlDocument, first_alias: tuple[int, int] | None) -> None:
        self.doc = doc
        self.first_alias = first_alias
        self.values = 0

    def _count(self, node: Node) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _too_many(self.first_alias, node)

    def convert(self, node: Node, path: KeyPath, depth: int, record: bool = True) -> Any:
        self._count(node)
        if depth > MAX_DEPTH:
            line, column = self.first_alias or _mark(node)
            raise _Refused(line, column, f"nesting deeper than {MAX_DEPTH} levels (a recursive alias?); refused")
        if isinstance(node, ScalarNode):
            if record:
                self.doc.raw.setdefault(path, node.value)
            if not node.style and not getattr(node, _EXPLICIT, False):
                return resolve_plain(node.value)
            return node.value
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                if record:
                    self.doc.marks.setdefault(path + (index,), _mark(item))
                items.append(self.convert(item, path + (index,), depth + 1, record))
            return items
        assert isinstance(node, MappingNode)
        return self._mapping(node, path, depth, record)

    def _mapping(self, node: MappingNode, path: KeyPath, depth: int, record: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == _MERGE_KEY and not key_node.style:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, MappingNode):
                        self._problem(_mark(source), path, "<< (merge) takes a mapping or a list of mappings")
                        continue
                    for k, v in self._mapping(source, path, depth + 1, record=False).items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, ScalarNode):
                self._problem(_mark(key_node), path, "keys must be plain text, not lists or mappings")
                continue
            key = key_node.value
            self._count(key_node)
            if key in result:
                first_line = self.doc.marks.get(path + (key,), (0, 0))[0]
                self._problem(_mark(key_node), path + (key,),
                              f"duplicate key (first defined on line {first_line})" if first_line else "duplicate key")
                continue
            if record:
                self.doc.marks[path + (key,)] = _mark(key_node)
            result[key] = self.convert(value_node, path + (key,), depth + 1, record)
        for k, v in merged.items():
            result.setdefault(k, v)
        if record and node.flow_style and len(result) == 1 and None in result.values():
            self.doc.brace_values[path] = "{" + next(iter(result)) + "}"
        return result

    def _problem(self, where: tuple[int, int], path: KeyPath, message: str) -> None:
        self.doc.problems.append(ConfigProblem(self.doc.file, where[0], where[1], format_path(path), message))


def format_path(path: KeyPath) -> str:
    """`("reports", 0, "metrics", 2)` → `reports[0].metrics[2]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_yaml(path: Path, display_name: str | None = None) -> YamlDocument:
    """Read and convert `path`; problems (not exceptions) describe anything unreadable or unsafe."""
    name = display_name or str(path)
    doc = YamlDocument(file=name)
    try:
        with open(path, "rb") as handle:
            blob = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        doc.problems.append(ConfigProblem(name, 1, 1, "", f"cannot read the file: {exc.strerror or exc}"))
        return doc
    if len(blob) > MAX_FILE_BYTES:
        doc.problems.append(ConfigProblem(name, 1, 1, "", "the file is larger than 1 MiB; refused"))
        return doc
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        doc.problems.append(_not_utf8(name, blob, exc.start))
        return doc
    return read_yaml_text(text, name, doc)


def _not_utf8(name: str, blob: bytes, start: int) -> ConfigProblem:
    """The problem of a file that is not UTF-8, located at the line and column of the first bad byte."""
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ConfigProblem(name, 1, 1, "", "the file is UTF-16 text; save it as UTF-8")
    before = blob[:start]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
    return ConfigProblem(name, line, column, "", f"the file is not UTF-8 text: byte 0x{blob[start]:02X} cannot be read "
                                                 "as UTF-8; save the file as UTF-8")


def _position(text: str, index: int) -> tuple[int, int]:
    """(line, column), 1-based, of character `index` of `text`."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _syntax_message(exc: yaml.MarkedYAMLError, text: str, line: int) -> str:
    message = f"YAML syntax error: {exc.problem or exc}"
    if "another document" in message:
        return "a config file holds one YAML document; remove the second ---"
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "cannot start any token" in message and "\t" in source_line[:len(source_line) - len(source_line.lstrip())]:
        return "tabs cannot indent YAML; use spaces"
    brace = _BRACE_VALUE.search(source_line)
    if brace:
        return f"{message}; {_quote_hint(brace.group(1), brace.group(2))}"
    inner = _PLACEHOLDER_VALUE.search(source_line)
    if inner and "expected ','" in message and "${" not in source_line:
        # `{type: csv, output: out/{report}.csv}`: the placeholder's `}` closes the flow mapping early
        return (f"{message}; inside {{...}} a value holding {{placeholders}} must be in quotes: "
                f'{inner.group(1)}: "{inner.group(2)}"')
    if "${" in source_line and "expected ','" in message:
        # a ${VAR} reference unquoted inside {...} or [...] is the usual cause of this one
        message += '; inside {...} or [...], put ${VAR} references in quotes: "${VAR}"'
    return message


# `key: {report}.csv`: a value opening with `{` starts a YAML flow mapping, whatever follows the `}`.
_BRACE_VALUE = re.compile(r"([\w.-]+):[ \t]+(\{[^{}\s,\[\]]*\}(?:[^\s,#\[\]{}]|\{[^{}\s,\[\]]*\})*)")


# `key: out/{report}.csv` inside a flow mapping: text, then one or more `{placeholder}`s.
_PLACEHOLDER = r"\{\w+(?::[^{}\s,]*)?\}"
_PLACEHOLDER_VALUE = re.compile(
    rf"([\w.-]+):[ \t]+([^\s,\[\]{{}}\"']+{_PLACEHOLDER}(?:[^\s,\[\]{{}}]|{_PLACEHOLDER})*)")


def _quote_hint(key: str, value: str) -> str:
    return f'a value that starts with {{ is read as a YAML mapping: put it in quotes, {key}: "{value}"'


def with_quote_hints(doc: YamlDocument) -> list[ConfigProblem]:
    """`doc.problems`, each one about a `{placeholder}` that YAML read as a mapping saying how to quote it."""
    hints = {format_path(path): (path, text) for path, text in doc.brace_values.items()}
    out = []
    for problem in doc.problems:
        found = hints.get(problem.path)
        if found is not None and "YAML mapping" not in problem.message:
            path, text = found
            key = path[-1] if path and isinstance(path[-1], str) else "value"
            out.append(replace(problem, message=f"{problem.message}; {_quote_hint(key, text)}"))
        else:
            out.append(problem)
    return out


def read_yaml_text(text: str, name: str = "<config>", doc: YamlDocument | None = None) -> YamlDocument:
    """Convert YAML `text` (see `read_yaml`)."""
    doc = doc or YamlDocument(file=name)
    loader = _TaggingLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        doc.problems.append(ConfigProblem(name, line, column, "", _syntax_message(exc, text, line)))
        return doc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (control characters)
        line, column = _position(text, exc.position)
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        kind = "control character" if unicodedata.category(character) == "Cc" else "character"
        doc.problems.append(ConfigProblem(name, line, column, "", f"{kind} U+{ord(character):04X} is not allowed "
                                                                  "in YAML; remove it"))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(ConfigProblem(name, 1, 1, "", f"YAML syntax error: {exc}"))
        return doc
    except _Refused as refused:
        doc.problems.append(ConfigProblem(name, refused.line, refused.column, "", refused.message))
        return doc
    finally:
        loader.dispose()
    for line, column, tag in loader.bad_tags:
        doc.problems.append(ConfigProblem(name, line, column, "",
                                          f"tag {_short_tag(tag)} is not allowed; config is plain data"))
    if loader.bad_tags:
        return doc
    if root is None:
        doc.data = {}
        return doc
    try:
        doc.data = _Converter(doc, loader.first_alias).convert(root, (), 0)
    except _Refused as refused:
        doc.data = None
        doc.marks.clear()
        doc.problems.append(ConfigProblem(name, refused.line, refused.column, "", refused.message))
    return doc


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
