"""A progress bar fed by the engine's progress callback (about 10 calls a second
from the thread that waits on the workers, so it costs the run nothing).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import contextmanager


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    ip = shell.get_ipython() if shell and hasattr(shell, "get_ipython") else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def wanted(progress) -> bool:
    """None means: show it in notebooks and on a terminal, not in pipes or CI logs."""
    if progress is None:
        return _in_notebook() or sys.stderr.isatty()
    return bool(progress)


@contextmanager
def progress_bar(progress) -> Callable[[int, int], None] | None:
    """Yield the callback to give the engine for ``progress`` (True/False/None or a
    callable of (done, total)).
    """
    if callable(progress):
        yield progress
        return
    if not wanted(progress):
        yield None
        return
    from tqdm.auto import tqdm

    # delay: runs shorter than a second never show a bar
    bar = tqdm(total=0, unit="path", delay=1.0, leave=False, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
