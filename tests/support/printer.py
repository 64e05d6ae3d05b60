"""A stand-in for CUPS's ``lp`` and ``lpstat`` on the PATH: what is sent to the printer is kept
in a file for the test to read, as a printer's tray would hold it. Only the printing system is
stood in for; the PDF is the real one."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

LP = """#!/bin/sh
# lp -d PRINTER -t TITLE -: the job on standard input
[ -n "$FAKE_LP_FAIL" ] && { echo "lp: printer is stopped" >&2; exit 1; }
printf '%s\\n' "$@" > "{tray}/args"
cat > "{tray}/job.pdf"
"""
LPSTAT = """#!/bin/sh
# lpstat -p NAME: known printers are listed in {tray}/printers
grep -qx "$2" "{tray}/printers" || {{ echo "lpstat: Invalid destination name" >&2; exit 1; }}
echo "printer $2 is idle."
"""


@dataclass
class Job:
    args: list[str]
    text: str


@dataclass
class FakePrinter:
    tray: Path

    def printed(self) -> Job:
        """The one job sent, its arguments, and its text as pdftotext reads it."""
        args = (self.tray / "args").read_text("utf-8").splitlines()
        text = subprocess.run(
            ["pdftotext", str(self.tray / "job.pdf"), "-"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        return Job(args, text)

    def nothing_printed(self) -> bool:
        return not (self.tray / "job.pdf").exists()


def fake_printer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, printers: tuple[str, ...] = ("front-desk",)
) -> FakePrinter:
    """``lp`` and ``lpstat`` first on the PATH; ``printers``: the names lpstat knows."""
    tray = tmp_path / "printer"
    folder = tray / "bin"
    folder.mkdir(parents=True)
    (tray / "printers").write_text("".join(f"{name}\n" for name in printers), "utf-8")
    for name, script in (("lp", LP.replace("{tray}", str(tray))),
                         ("lpstat", LPSTAT.replace("{tray}", str(tray)).replace("{{", "{").replace("}}", "}"))):  # fmt: skip
        program = folder / name
        program.write_text(script, "utf-8")
        program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return FakePrinter(tray)
