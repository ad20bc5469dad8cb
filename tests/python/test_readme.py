"""The README's example outputs are what the code prints now (tools/readme_check.py
reruns every command under a readme-check marker; `--write` updates them)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_the_readme_shows_what_the_commands_print():
    proc = subprocess.run([sys.executable, str(REPO / "tools/readme_check.py")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, "README differs from the code (run tools/readme_check.py " \
        "--write):\n" + proc.stdout[-4000:] + proc.stderr[-2000:]
