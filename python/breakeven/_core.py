"""The compiled engine: the build of it this CPU runs best.

Every build gives the same numbers bit for bit (docs/model.md, "Randomness"); on
x86-64 CPUs with AVX2 (x86-64-v3) the one compiled for them is about 13% faster.
``BREAKEVEN_ENGINE_BUILD=baseline`` (or ``x86-64-v3``) chooses one by hand.
"""

from __future__ import annotations

import os
from importlib import import_module

from . import _cpu

BUILDS = ("baseline", "x86-64-v3")


def _choose() -> str:
    wanted = os.environ.get("BREAKEVEN_ENGINE_BUILD", "")
    if wanted and wanted not in BUILDS:
        raise ImportError(
            f"BREAKEVEN_ENGINE_BUILD={wanted!r}: allowed are {', '.join(BUILDS)}")
    if wanted == "x86-64-v3" and not _cpu.supports_x86_64_v3():
        raise ImportError("BREAKEVEN_ENGINE_BUILD=x86-64-v3: this CPU lacks x86-64-v3 (AVX2)")
    if wanted:
        return wanted
    if _cpu.supports_x86_64_v3():
        try:
            import_module("._core_x86_64_v3", __package__)
            return "x86-64-v3"
        except ImportError:  # built on a compiler or platform without it
            pass
    return "baseline"


BUILD = _choose()
globals().update(
    (name, value)
    for name, value in vars(import_module(f"._core_{BUILD.replace('-', '_')}", __package__)).items()
    if not name.startswith("__") or name == "__version__"
)
