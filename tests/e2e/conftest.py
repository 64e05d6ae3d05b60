"""The end-to-end tests run the real program in other processes, which hash at Argon2id's real
cost: the records and accounts these tests prepare or check in this process must be hashed the
same way (see ``_quick_argon2`` in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.real_argon2)
