"""YAML to plain JSON-compatible data, remembering the line of every field path.

The engine validates the scenario and names the field path of an error; the line
map here turns that path into ``file:line``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping

import yaml

from .errors import ScenarioError

_PARENT = re.compile(r"(\.[^.\[\]]*|\[\d+\])$")


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


def load_yaml(text: str, source: str) -> tuple[object, LineMap]:
    """Parse ``text``; return the data and the line of each field path."""
    loader = yaml.SafeLoader(text)
    lines: dict[str, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(source, 1, "", "the file is empty")
        lines[""] = node.start_mark.line + 1
        data = _convert(loader, node, "", lines, source)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise ScenarioError(source, line, "", f"invalid YAML: {e.problem}") from None
    except yaml.YAMLError as e:
        raise ScenarioError(source, None, "", f"invalid YAML: {e}") from None
    finally:
        loader.dispose()
    return data, LineMap(source, lines)


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _convert(loader, node, path, lines, source):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            child = _child(path, key)
            if key in out:
                raise ScenarioError(
                    source, key_node.start_mark.line + 1, child, "duplicate key"
                )
            lines[child] = key_node.start_mark.line + 1
            out[key] = _convert(loader, value_node, child, lines, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = []
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines[child] = item.start_mark.line + 1
            out.append(_convert(loader, item, child, lines, source))
        return out
    value = loader.construct_object(node, deep=True)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(
            source, line, path, f"must be a finite number (got {value})"
        )
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ScenarioError(source, line, path, f"unsupported YAML value {value!r}")


def check_plain(data: object, lines: LineMap, path: str = "") -> None:
    """Check that a mapping given in Python holds only JSON-like values."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            if not isinstance(key, str):
                raise lines.error(path, f"keys must be strings (got {key!r})")
            check_plain(value, lines, _child(path, key))
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            check_plain(value, lines, f"{path}[{i}]")
    elif isinstance(data, float) and not math.isfinite(data):
        raise lines.error(path, f"must be a finite number (got {data})")
    elif not (data is None or isinstance(data, (str, int, float, bool))):
        raise lines.error(path, f"unsupported value {data!r}")
