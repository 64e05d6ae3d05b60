"""Fixtures of the export and import tests."""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kompass_tui.storage.database import Database, open_database
from sporreskjema import Questionnaire
from tests.support.exchange import caseworker, register


@pytest.fixture
def kiosk(tmp_path: Path, kompass: Questionnaire) -> Iterator[tuple[Database, int, uuid.UUID]]:
    """A kiosk's own SQLite database with one full record and a caseworker."""
    database = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    worker = caseworker(database)
    record_id = register(database, kompass, worker)
    try:
        yield database, worker, record_id
    finally:
        database.dispose()


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on a tiny file system (8 KB of tmpfs) where a test may mount one; elsewhere a
    folder whose files fail to write as on a full disk."""
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = os.geteuid() == 0 and (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8k,mode=0700", "tmpfs", str(folder)],
            capture_output=True, check=False,
        ).returncode == 0
    )  # fmt: skip
    if not mounted:
        from kompass_tui.exchange import export as exporting

        def full(*_args: Any) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(exporting.os, "fsync", full)
    try:
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
