"""Writing a command's outputs: each checked before the work starts, and written
through files.open_output (never a hang on a pipe, an error naming the flag)."""

from __future__ import annotations

import json
from pathlib import Path

from ..files import check_output, open_output


def check_outputs(**outputs) -> None:
    """Every output a command will write (``option=path``, None when not asked),
    checked before any work."""
    for option, path in outputs.items():
        if path:
            check_output(path, option)


def check_figures(**outputs) -> None:
    """Every chart a command will write (``option=path``), its format known to
    matplotlib from the file's suffix, checked before any work (a suffix it does
    not know failed after the run, leaving an empty file)."""
    from matplotlib.figure import Figure

    from ..errors import OptionError

    known = Figure().canvas.get_supported_filetypes()
    for option, path in outputs.items():
        if not path:
            continue
        check_output(path, option)
        fmt = Path(path).suffix.lstrip(".").lower() or "png"
        if fmt not in known:
            raise OptionError(option, f"{path}: a chart is written as "
                              f"{', '.join(sorted(known))} (from the file's suffix)")


def write_json(path, doc, option: str = "json") -> None:
    with open_output(path, option) as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"\nJSON written to {path}")


def save_figure(fig, path, option: str, **options) -> None:
    """Write a chart to ``path`` (PNG, or the format its suffix names)."""
    from ..plots import drawing

    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    with open_output(path, option, binary=True) as f, drawing():
        fig.savefig(f, format=fmt, **options)
