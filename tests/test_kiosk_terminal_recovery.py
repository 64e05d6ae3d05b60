"""The real ``kompass kiosk`` in tmux never ends at a shell without the PIN: not on an idle reset
in any script, not on an unexpected error in a screen or in the app itself."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kompass_tui.screens.guard import ApologyScreen
from sporreskjema.i18n import available_locales, translator
from tests.test_kiosk_terminal import BOKMAL, PIN, Kiosk, with_pin

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

FAULTY = [sys.executable, str(Path(__file__).with_name("faulty_kompass.py"))]


def crash_logs(kiosk: Kiosk) -> list[Path]:
    return list(Path(kiosk.env["HOME"]).rglob("crash.log"))


def choose(kiosk: Kiosk, locale: str) -> None:
    """Pick ``locale`` on the picker with the arrow keys, as a person would."""
    kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
    kiosk.keys(*["Down"] * available_locales().index(locale), "Enter")


def dismiss(kiosk: Kiosk, apology: str) -> None:
    """Press Enter until the apology goes, as a person would (keys that come in its first
    second are taken as meant for the page before it)."""
    for _ in range(10):
        kiosk.keys("Enter")
        time.sleep(0.5)
        if apology not in kiosk.screen():
            return
    pytest.fail(f"the apology stayed:\n{kiosk.screen()}")


@pytest.fixture
def kiosks(tmp_path: Path) -> Iterator[list[Kiosk]]:
    made: list[Kiosk] = []
    yield made
    for kiosk in made:
        kiosk.stop()


def test_an_idle_reset_in_four_scripts_comes_back_to_the_picker(
    tmp_path: Path, kiosks: list[Kiosk]
) -> None:
    """English, Ukrainian, Arabic and Tigrinya side by side (the warning alone takes 30 s)."""
    locales = ["en", "uk", "ar", "ti"]
    for locale in locales:
        kiosk = with_pin(tmp_path / locale)
        kiosks.append(kiosk)
        kiosk.start(idle_timeout=5)
    for kiosk, locale in zip(kiosks, locales, strict=True):
        choose(kiosk, locale)
        kiosk.wait_gone(BOKMAL)
    for kiosk in kiosks:
        kiosk.wait_for(BOKMAL, timeout=90)  # warned, cleared, and back at the picker
        kiosk.wait_until(lambda k=kiosk: k.highlighted(BOKMAL), "the picker ready")  # type: ignore[misc]
        assert kiosk.alive()
        assert crash_logs(kiosk) == []


def test_an_error_in_a_screen_apologises_in_tigrinya_and_the_kiosk_goes_on(
    tmp_path: Path, kiosks: list[Kiosk]
) -> None:
    kiosk = with_pin(tmp_path)
    kiosks.append(kiosk)
    kiosk.start(program=[*FAULTY, "screen"])
    choose(kiosk, "ti")
    ti = translator("ti")
    kiosk.wait_for(ti.gettext(ApologyScreen.SORRY))
    assert ti.gettext(ApologyScreen.WITHOUT_CODE)[:20] in kiosk.screen()
    dismiss(kiosk, ti.gettext(ApologyScreen.SORRY))
    assert kiosk.alive()
    (log,) = crash_logs(kiosk)
    assert "builtins.RuntimeError" in log.read_text(encoding="utf-8")
    # the kiosk works on: the next person begins
    choose(kiosk, "uk")
    kiosk.wait_for(translator("uk").gettext("Step %(step)d of %(steps)d") % {"step": 1, "steps": 8})


def test_an_error_in_the_app_itself_starts_a_new_kiosk_with_the_apology(
    tmp_path: Path, kiosks: list[Kiosk]
) -> None:
    kiosk = with_pin(tmp_path)
    kiosks.append(kiosk)
    kiosk.start(program=[*FAULTY, "app"])
    choose(kiosk, "uk")
    uk = translator("uk")
    kiosk.wait_for(uk.gettext("Step %(step)d of %(steps)d") % {"step": 1, "steps": 8})
    kiosk.keys("F2")  # the fault: the app's own message loop ends
    kiosk.wait_for(uk.gettext(ApologyScreen.SORRY))
    assert kiosk.alive()
    dismiss(kiosk, uk.gettext(ApologyScreen.SORRY))
    # and still only the PIN ends it
    kiosk.keys("C-c")
    kiosk.wait_for(translator("nb").gettext("Caseworker PIN"))
    kiosk.type(PIN)
    kiosk.keys("Enter")
    assert kiosk.wait_exit() == 0
