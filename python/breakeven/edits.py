"""The one way to edit a scenario: ``Scenario.with_values({path: value})``.

A path is a dotted path into the scenario as written:

- ``workloads.chat.requests.per_day``: a list is indexed by its items' ``name``;
- ``models.gpt-5.5.input``: names may hold dots; at each step the longest run of
  segments that names something (a key of the mapping, a list item's name, or a
  model or cluster the scenario knows, catalog models included) wins;
- a missing mapping on the way is created (``clusters.gpu.fixed.setup`` when the
  cluster has no ``fixed:``), so that a default can be set; a plain value on the
  way becomes a mapping (``output_tokens.mean`` where ``output_tokens: 200``);
- the value ``REMOVE`` deletes the field.

Sensitivity, threshold, sweeps and the optimizer all edit through here; the engine
then validates the edited scenario like any other.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from .errors import OptionError


class _Remove:
    def __repr__(self) -> str:
        return "REMOVE"


REMOVE = _Remove()  # with_values({path: REMOVE}) deletes the field


def _names_at(container, segments_before: list[str], known: Mapping[str, set[str]]) -> set[str]:
    """The names that may take several segments at this step."""
    if isinstance(container, list):
        return {x["name"] for x in container if isinstance(x, dict)
                and isinstance(x.get("name"), str)}
    names = {k for k in container if isinstance(k, str)}
    if len(segments_before) == 1:  # models: or clusters: may name catalog entries
        names |= known.get(segments_before[0], set())
    return names


def _step(segments: list[str], names: set[str]) -> int:
    """How many segments the next key takes: the longest run that is a name."""
    for n in range(len(segments), 1, -1):
        if ".".join(segments[:n]) in names:
            return n
    return 1


def set_value(data: dict, path: str, value, known: Mapping[str, set[str]]) -> None:
    """Set (or with REMOVE delete) ``path`` in ``data``, the scenario as written."""
    if not isinstance(path, str) or not path or any(not s for s in path.split(".")):
        raise OptionError("values", f"{path!r}: a path is names joined by dots")
    segments = path.split(".")
    target, walked = data, []
    while True:
        n = _step(segments, _names_at(target, walked, known))
        key, segments = ".".join(segments[:n]), segments[n:]
        if isinstance(target, list):
            match = [x for x in target if isinstance(x, dict) and x.get("name") == key]
            if not match:
                raise OptionError("values", f"{path}: no item named {key!r} in "
                                  f"{'.'.join(walked) or 'the scenario'}")
            if not segments:
                raise OptionError("values", f"{path}: names a list item; set one of its "
                                  "fields")
            target = match[0]
        elif not segments:
            if value is REMOVE:
                target.pop(key, None)
            else:
                target[key] = copy.deepcopy(value)
            return
        else:
            child = target.get(key)
            if not isinstance(child, (dict, list)):
                if value is REMOVE:
                    return  # nothing to delete
                # A missing mapping is created; a plain value on the way becomes a
                # mapping (output_tokens: 200, then output_tokens.mean), which the
                # engine then checks like any other.
                child = target[key] = {}
            target = child
        walked.append(key)
