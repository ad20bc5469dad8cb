"""The README's example outputs, produced by the code: every fenced block after a
``<!-- readme-check -->`` line holds ``$ breakeven ...`` commands and what they
print. ``--write`` runs them and rewrites the blocks; without it (CI, through
tests/python/test_readme.py) the README must equal what the commands print now.

The figures in its prose and tables, marked ``<!-- fig:NAME -->TEXT<!-- /fig -->``,
are rendered the same way by tools/readme_figures.py (which says where each comes
from: computed now, or recorded by a bench in tests/bench/results/).

A marker may say ``<!-- readme-check: keep=REGEX -->``: only the output lines
matching REGEX are shown. Commands run in a scratch folder holding a link to
scenarios/ (so the README's paths work), one folder per block (a block's later
commands see its earlier ones' files), 100 columns wide.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readme_figures  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BLOCK = re.compile(r"(<!-- readme-check(?::\s*(?P<opts>.*?))? -->\n```\n)(?P<body>.*?)(```)",
                   re.S)


def _commands(body: str) -> list[str]:
    return [line[2:] for line in body.splitlines() if line.startswith("$ ")]


def _run(command: str, folder: Path, keep: re.Pattern | None) -> str:
    args = shlex.split(command)
    assert args[0] == "breakeven", command
    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-m", "breakeven", *args[1:]], cwd=folder,
                          capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode not in (0, 2):
        raise SystemExit(f"readme-check: {command!r} failed ({proc.returncode}):\n"
                         f"{proc.stderr}")
    lines = (proc.stdout + proc.stderr).splitlines()
    if keep is not None:
        lines = [line for line in lines if keep.search(line)]
    return "".join(f"{line.rstrip()}\n" for line in lines)


def rendered(text: str) -> str:
    """The README with every checked block as the commands print it now and every
    marked figure as the code gives it.
    """

    def block(m: re.Match) -> str:
        opts = dict(o.split("=", 1) for o in shlex.split(m.group("opts") or ""))
        keep = re.compile(opts["keep"]) if "keep" in opts else None
        out = []
        with tempfile.TemporaryDirectory(prefix="readme-") as tmp:
            (Path(tmp) / "scenarios").symlink_to(REPO / "scenarios")
            for command in _commands(m.group("body")):
                out.append(f"$ {command}\n" + _run(command, Path(tmp), keep))
        return m.group(1) + "".join(out) + m.group(4)

    return readme_figures.render(BLOCK.sub(block, text))


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    try:
        now = rendered(text)
    except readme_figures.FigureError as e:
        print(f"readme-check: {e}", file=sys.stderr)
        return 1
    if "--write" in argv:
        README.write_text(now, encoding="utf-8")
        return 0
    if now != text:
        import difflib

        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(True), now.splitlines(True), "README.md", "what the code prints"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
