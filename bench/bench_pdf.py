"""The PDF export: one record as PDF against the same record as the HTML page it is laid out
from, and the memory of a PDF export that grows with the records (it must not: each record is
laid out, written and let go before the next)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench.bench_exchange import _one_record, _out, _records
from bench.harness import Case, Unavailable, benchmark
from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection

ROOT = Path(__file__).resolve().parents[1]


def _available() -> None:
    from kompass_tui.exchange import pdf

    try:
        pdf.require()
    except pdf.PdfError as exc:
        raise Unavailable(exc.message.msgid) from None


@benchmark("pdf: one record as PDF, against the same record as HTML")
def pdf_time(quick: bool) -> Case:
    _available()
    db, record_id = _one_record()
    folder = _out().parent

    def one(fmt: Format, out: Path) -> None:
        export(
            db, fmt=fmt, out=out, selection=Selection(record_id=record_id), actor_id=1, mark=False
        )

    return Case(
        target=20.0,
        subject=lambda: one(Format.pdf, folder / "pdf"),
        baseline=lambda: one(Format.html, folder / "record.html"),
        detail="kompass export --record of one full record (two degrees, two jobs, remarks, a "
        "correction; Arabic beside Norwegian, six A4 pages) as PDF (WeasyPrint: layout, fonts "
        "embedded as subsets, written and synced) against the same export as HTML",
        rounds=3 if quick else None,
        min_calls=1,
        known_miss=(
            "WeasyPrint lays the six pages out and writes them in about 0.33 s; the HTML is "
            "written in about 11 ms. Nearly all of it is WeasyPrint's own work, a line box at a "
            "time (style cascade, line breaking, tables, drawing): the page already spares it "
            "the column measuring and puts an unanswered question on one line (0.44 s before), "
            "and the answered questions alone take 0.22 s, twenty times the HTML."
        ),
    )


#: Run in a fresh interpreter, as ``kompass export --format pdf`` runs: the process's peak
#: resident memory (VmHWM) once it has exported the records, C libraries (Pango, HarfBuzz,
#: fontconfig) included.
_PEAK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kompass_tui.exchange.export import Format, export
    from kompass_tui.exchange.records import Selection
    from kompass_tui.storage.database import open_database

    url, out, worker = sys.argv[1:4]
    db = open_database(url)
    export(db, fmt=Format.pdf, out=Path(out) / "pdf", selection=Selection(),
           actor_id=int(worker), mark=False)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            print(int(line.split()[1]) * 1024)
    """
)


def _peak(records: Path, worker: int) -> int:
    with tempfile.TemporaryDirectory(prefix="kompass-bench-pdf-") as out:
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, f"sqlite:///{records}", out, str(worker)],
            capture_output=True, text=True, check=True, cwd=ROOT, timeout=3600,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


@benchmark("pdf: peak memory, 1,000 records against 100 (10 against 1 with --quick)")
def pdf_memory(quick: bool) -> Case:
    # A record's layout is let go before the next (export.py's _PdfWriter): memory must not
    # grow with the records. --quick exports fewer, as each PDF takes a third of a second.
    _available()
    count = 10 if quick else 1_000
    large, _large_db, large_worker = _records(count)
    small, _small_db, small_worker = _records(count // 10)
    return Case(
        target=1.2,
        subject=lambda: _peak(large, large_worker),
        baseline=lambda: _peak(small, small_worker),
        detail=f"peak resident memory (VmHWM) of a fresh process exporting {count:,} records "
        f"to PDF, a file each, against {count // 10:,}",
        measures="value",
        unit="bytes",
        rounds=1,
    )
