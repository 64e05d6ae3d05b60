"""Every folder Kompass makes is its owner's only (0700), and every file in it too (no bit for
group or others), whatever the umask: the data folder, an export folder, the crash log's
folder, the settings folder and the cache. ``mkdir(mode=0o700, parents=True)`` once made the
folders above the last 0777 under a umask of 000."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection
from kompass_tui.kiosk import settings
from kompass_tui.storage.database import open_database
from kompass_tui.widgets.crash import log_error
from sporreskjema import Questionnaire, i18n
from sporreskjema.files import make_private_dir
from tests.support.exchange import caseworker, register


@pytest.fixture
def no_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def fresh_catalogs() -> Iterator[None]:
    """The catalogs compiled and cached again, in this test's cache folder."""

    def clear() -> None:
        for cached in (i18n._compiled, i18n._compiled_bytes, i18n._cache_key, i18n._cached_facts):
            cached.cache_clear()

    clear()
    yield
    clear()


def modes(root: Path) -> dict[str, str]:
    """The mode of everything under ``root`` that is not owner-only, by its path."""
    found = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode & 0o077 or (path.is_dir() and mode != wanted):
            found[str(path.relative_to(root.parent))] = oct(mode)
    return found


@pytest.mark.usefixtures("no_umask", "fresh_catalogs")
def test_every_folder_kompass_makes_is_owner_only_whatever_the_umask(
    tmp_path: Path, kompass: Questionnaire
) -> None:
    # the database, in folders that do not exist yet
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'deep' / 'kompass.sqlite3'}")
    try:
        worker = caseworker(db)
        register(db, kompass, worker)
        # an export folder (CSV), also below folders that do not exist yet
        export(
            db,
            fmt=Format.csv,
            out=tmp_path / "exports" / "2025" / "csv",
            selection=Selection(),
            actor_id=worker,
        )
    finally:
        db.dispose()
    # the kiosk settings, the crash log, and the cache of compiled catalogs and language names
    settings.save(settings.KioskSettings())
    assert log_error(RuntimeError("a test")) != "-"
    assert i18n.translator("uk").gettext("Yes") != "Yes"
    assert i18n.own_name("uk") == "Українська"
    made = [
        tmp_path / "data",
        tmp_path / "exports",
        *(Path(os.environ[name]) for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME")),
        Path(os.environ["XDG_CACHE_HOME"]),
    ]
    for root in made:
        assert root.is_dir(), root
        assert any(root.rglob("*")), root
        assert modes(root) == {}, root
    assert (tmp_path / "exports" / "2025" / "csv").is_dir()


@pytest.mark.usefixtures("no_umask")
def test_a_private_folder_is_private_under_any_umask(tmp_path: Path) -> None:
    for umask in (0o000, 0o002, 0o022, 0o277):
        os.umask(umask)
        folder = tmp_path / f"u{umask:o}" / "a" / "b"
        make_private_dir(folder)
        make_private_dir(folder)  # there already: nothing to do
        assert modes(tmp_path / f"u{umask:o}") == {}
    (tmp_path / "file").write_text("", "utf-8")
    with pytest.raises(FileExistsError):
        make_private_dir(tmp_path / "file")
