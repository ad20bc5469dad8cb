"""A scenario file to plain JSON-compatible data, remembering the line of every
field path, within limits that no file can exceed.

The engine validates the scenario and names the field path of an error; the line
map here turns that path into ``file:line``. The data is built from YAML events
(libyaml's C parser where present), not from PyYAML's recursive composer, so that
the limits hold before any work is done: the file size, the nesting depth and the
number of values after aliases are expanded (a "billion laughs" file of 1 KB
would otherwise expand to gigabytes).
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from .errors import ScenarioError
from .files import UnreadableFile, read_regular

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 200_000  # values in the document, every alias expanded

_PARENT = re.compile(r"(\.[^.\[\]]*|\[\d+\])$")
_EVENTS_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1  # what the engine's JSON reader holds


class LineMap:
    """Field path -> 1-based line of the field in the source."""

    def __init__(self, source: str, lines: dict[str, int] | None = None):
        self.source = source
        self._lines = lines or {}

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest parent present in the file."""
        if not self._lines:
            return None
        while path:
            if path in self._lines:
                return self._lines[path]
            # Model and cluster names may contain dots: try the full path first.
            shorter = _PARENT.sub("", path)
            if shorter == path:
                break
            path = shorter
        return self._lines.get("", 1)

    def error(self, path: str, reason: str) -> ScenarioError:
        return ScenarioError(self.source, self.line_of(path), path, reason)


def read_text(path: Path, what: str = "scenario files") -> str:
    """The file's text; an error names the byte offset and line of bad UTF-8
    (``what``: the kind of file, in the message on its size)."""
    source = str(path)
    try:
        raw = read_regular(path, MAX_FILE_BYTES, what)
    except UnreadableFile as e:
        raise ScenarioError(source, None, "", e.reason) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ScenarioError(
            source, line, "", f"not valid UTF-8 at byte offset {e.start}"
        ) from None


def load_yaml(text: str, source: str) -> tuple[object, LineMap]:
    """Parse ``text``; return the data and the line of each field path."""
    builder = _Builder(source)
    try:
        for event in yaml.parse(text, Loader=_EVENTS_LOADER):
            builder.feed(event)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise ScenarioError(source, line, "", f"invalid YAML: {e.problem}") from None
    except yaml.reader.ReaderError as e:  # e.g. control characters
        line = text.count("\n", 0, e.position) + 1
        raise ScenarioError(
            source, line, "", f"invalid YAML at character {e.position}: {e.reason}"
        ) from None
    if builder.root is _NOTHING:
        raise ScenarioError(source, 1, "", "the file is empty")
    return builder.root, LineMap(source, builder.lines)


_NOTHING = object()
class _ScalarLoader(yaml.SafeLoader):
    """PyYAML's resolver reads YAML 1.1, where ``1e9`` (no dot) is a string; YAML
    1.2 and JSON, and editors with the scenario schema, read a number. The 1.2 form
    is added here, on a subclass, so that other users of PyYAML are not touched."""


_ScalarLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))
_SCALARS = _ScalarLoader("")  # its resolver and constructor, for scalar values


class _Container:
    """A mapping or list being built, with where it is and what it holds."""

    __slots__ = ("value", "path", "anchor", "line", "key", "merges", "values_at_start")

    def __init__(self, value, path, anchor, line, values_at_start):
        self.value = value
        self.path = path
        self.anchor = anchor
        self.line = line
        self.key = _NOTHING  # a mapping's key waiting for its value
        self.merges = []  # YAML merge keys (<<), applied at the end
        self.values_at_start = values_at_start


class _Builder:
    """Builds plain data from YAML events, iteratively, within the limits."""

    def __init__(self, source: str):
        self.source = source
        self.lines: dict[str, int] = {}
        self.stack: list[_Container] = []
        self.anchors: dict[str, tuple[object, int]] = {}
        self.values = 0
        self.root = _NOTHING
        self.documents = 0

    def fail(self, line: int | None, path: str, reason: str):
        raise ScenarioError(self.source, line, path, reason)

    def _count(self, n: int, line: int, path: str) -> None:
        self.values += n
        if self.values > MAX_VALUES:
            self.fail(
                line,
                path,
                f"the file expands to more than {MAX_VALUES:,} values "
                "(aliases of aliases?); scenario files are limited to that",
            )

    def _next_path(self, line: int) -> str | None:
        """The path of the value that comes next; None when it is a mapping key."""
        if not self.stack:
            return ""
        top = self.stack[-1]
        if isinstance(top.value, list):
            path = f"{top.path}[{len(top.value)}]"
            self.lines.setdefault(path, line)
            return path
        if top.key is _NOTHING:
            return None
        return top.key if not top.path else f"{top.path}.{top.key}"

    def feed(self, event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail(line, "", "holds more than one YAML document")
            return
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            path = self._next_path(line)
            if path is None:
                self.fail(line, self.stack[-1].path, "mapping keys must be plain names")
            if len(self.stack) >= MAX_DEPTH:
                self.fail(line, path, f"nests deeper than {MAX_DEPTH} levels")
            self._count(1, line, path)
            value = {} if isinstance(event, yaml.MappingStartEvent) else []
            self.stack.append(_Container(value, path, event.anchor, line, self.values))
            return
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = self.stack.pop()
            for merged in done.merges:
                for k, v in merged.items():
                    done.value.setdefault(k, v)
            if done.anchor:
                self.anchors[done.anchor] = (done.value, self.values - done.values_at_start + 1)
            self._place(done.value, done.line)
            return
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                self.fail(line, self._next_path(line) or "", f"unknown alias *{event.anchor}")
            value, size = self.anchors[event.anchor]
            path = self._next_path(line)
            if path is None:
                self.fail(line, self.stack[-1].path, "mapping keys must be plain names")
            self._count(size, line, path)
            self._place(value, line)
            return
        if isinstance(event, yaml.ScalarEvent):
            self._scalar(event, line)

    def _scalar(self, event, line: int) -> None:
        top = self.stack[-1] if self.stack else None
        is_key = top is not None and isinstance(top.value, dict) and top.key is _NOTHING
        path = top.path if is_key else self._next_path(line)
        value = self._construct(event, line, path)
        self._count(1, line, path)
        if is_key:
            if isinstance(value, bool):
                value = str(value).lower()
            elif value is None:
                value = "null"
            key = value if isinstance(value, str) else str(value)
            child = key if not top.path else f"{top.path}.{key}"
            if key != "<<" and key in top.value:
                self.fail(line, child, "duplicate key")
            self.lines[child] = line
            top.key = key
            return
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self._place(value, line)

    def _construct(self, event, line: int, path: str):
        if event.implicit[0] or event.tag in (None, "!"):
            tag = _SCALARS.resolve(yaml.ScalarNode, event.value, event.implicit)
        else:
            tag = event.tag
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = _SCALARS.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as e:
            self.fail(line, path, f"unsupported YAML value {event.value!r} ({e})")
        return plain_value(value, lambda reason: self.fail(line, path, reason))

    def _place(self, value, line: int) -> None:
        if not self.stack:
            self.root = value
            self.lines.setdefault("", line)
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
            return
        if top.key == "<<":
            merges = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merges):
                self.fail(line, top.path, "a merge key (<<) must name mappings")
            top.merges.extend(merges)
        else:
            top.value[top.key] = value
        top.key = _NOTHING


def plain_value(value, fail):
    """A scalar as the engine's JSON reader takes it, or ``fail(reason)``."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if not isinstance(value, (int, float)) and isinstance(value, numbers.Real):
        value = int(value) if isinstance(value, numbers.Integral) else float(value)
    if isinstance(value, int):
        if _INT_MIN <= value <= _INT_MAX:
            return value
        # Too large for a 64-bit integer: as a number, so that the engine's
        # range check names the field and its bound.
        try:
            return float(value)
        except OverflowError:
            fail(f"must be a finite number (got an integer of {len(str(value))} digits)")
    if isinstance(value, float):
        if not math.isfinite(value):
            fail(f"must be a finite number (got {value})")
        return value
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            fail(f"holds a character that is not valid Unicode at position {e.start}")
        return value
    fail(f"unsupported value {value!r}")


def check_plain(data: object, lines: LineMap) -> object:
    """A mapping given in Python, as plain JSON-like data within the same limits as
    a file (depth, size), iteratively."""
    count = 0
    out_root: list = []
    # (value, path, depth, into, key): into[key] = converted value
    work = [(data, "", 0, out_root, None)]
    while work:
        value, path, depth, into, key = work.pop()
        count += 1
        if count > MAX_VALUES:
            raise lines.error(path, f"holds more than {MAX_VALUES:,} values")
        if depth > MAX_DEPTH:
            raise lines.error(path, f"nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, Mapping):
            out = dict.fromkeys(value)  # keeps the order the caller wrote
            for k, v in value.items():
                if not isinstance(k, str):
                    raise lines.error(path, f"keys must be strings (got {k!r})")
                plain_value(k, lambda reason, p=path: _raise(lines, p, reason))
                work.append((v, f"{path}.{k}" if path else k, depth + 1, out, k))
        elif isinstance(value, (list, tuple)):
            out = [None] * len(value)
            for i, v in enumerate(value):
                work.append((v, f"{path}[{i}]", depth + 1, out, i))
        else:
            out = plain_value(value, lambda reason, p=path: _raise(lines, p, reason))
        if key is None:
            into.append(out)
        else:
            into[key] = out
    return out_root[0]


def _raise(lines: LineMap, path: str, reason: str):
    raise lines.error(path, reason)
