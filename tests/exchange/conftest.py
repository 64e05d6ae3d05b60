"""Fixtures of the export and import tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

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
