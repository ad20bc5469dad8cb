"""What a bench measured, kept for the README: ``--record`` on a bench script writes
its results to tests/bench/results/NAME.json with when, where and how they were
measured. The README's figures from benches are rendered from these files
(tools/readme_figures.py), so CI checks that the README states what was recorded;
rerun the bench with ``--record`` and then ``python tools/readme_check.py --write``.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = RESULTS.parents[2]


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return round(pages * size / 2**30, 1)


def _commit() -> str:
    """HEAD, with "+changes" when tracked files differ from it (what ran was not
    exactly a commit).
    """
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def machine() -> dict:
    import breakeven
    from breakeven import __version__, _core

    package = Path(breakeven.__file__).resolve().parent
    return {
        # this checkout's code, or (a path) an installed copy of it
        "package": (str(package.relative_to(ROOT)) if package.is_relative_to(ROOT)
                    else str(package)),
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "engine_version": __version__,
        "engine_build": _core.BUILD,
    }


def write(name: str, results: dict) -> Path:
    """Write tests/bench/results/NAME.json: ``results`` and their provenance."""
    doc = {
        "bench": name,
        "command": "python " + shlex.join([os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "commit": _commit(),
        "machine": machine(),
        "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"recorded in {os.path.relpath(path, ROOT)}; now run python tools/readme_check.py "
          "--write")
    return path


def read(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
