"""The kiosk never ends without the PIN: an idle reset in every script, and an unexpected error
anywhere, bring the next person the language picker; the person who was at the kiosk gets an
apology in their own language, and their answers wait for their code."""

from __future__ import annotations

import datetime as dt

import pytest

from kompass_tui.i18n import current
from kompass_tui.kiosk import app as app_module
from kompass_tui.kiosk.screens.guard import ApologyScreen, IdleScreen
from kompass_tui.storage.database import Database
from kompass_tui.widgets.crash import crash_log_path
from kompass_tui.wizard.screens.language import LanguageScreen
from kompass_tui.wizard.screens.section import SectionScreen
from sporreskjema.i18n import translator
from tests.support.kiosk_pilot import (
    make_app,
    next_step,
    pick_language,
    press_button,
    tick,
    type_text,
    wait_for_screen,
)

SIZE = (100, 32)
#: Latin, Cyrillic, right to left, Ethiopic; and English, where the reset first failed.
LOCALES = ["nb", "uk", "ar", "ti", "en"]
NAME = "Olena Kovalenko"


def screen_text(app: app_module.KioskApp) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("Static, Label, Button, OptionList"))


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_idle_reset_goes_back_to_the_picker_in_every_script(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    """The screens under the one shown were built in the person's language; the reset must
    not build them again in bokmål for a registration that is gone (it crashed the kiosk)."""
    monkeypatch.setattr(app_module, "IDLE_WARNING_SECONDS", 1)
    # No idle time while the person types (a busy machine can take a second for a step);
    # then they walk away.
    app = make_app(sqlite_db, idle_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", NAME)
        app.idle_seconds = 1
        await wait_for_screen(pilot, IdleScreen)
        await wait_for_screen(pilot, LanguageScreen)
        await pilot.pause(0.3)
        assert app.is_running
        assert app.recovered == []
        assert isinstance(app.screen, LanguageScreen)
        assert len(app.screen_stack) == 1
        assert app.registration is None
        assert current().locale == "nb"
        assert NAME not in screen_text(app)
        # Laid out for the next person, left to right, whatever the last one read.
        assert not app.has_class("-rtl")
        assert app.screen.query_one("#language-prompt").styles.text_align == "start"
    assert not crash_log_path().exists()


def _broken_after_the_birth_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer after the date of birth fails with an error that quotes the name."""
    from kompass_tui.wizard.registration import Registration

    answer = Registration.answer

    def broken(self: Registration, path: str, raw: object) -> object:
        if self.form.get("birth_date"):
            raise RuntimeError(f"a bug while saving {raw!r} for {NAME}")
        return answer(self, path, raw)

    monkeypatch.setattr(Registration, "answer", broken)


@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "ti"])
async def test_an_error_in_a_screen_apologises_and_the_answers_wait(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    bug = monkeypatch.context()
    _broken_after_the_birth_date(bug.__enter__())
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", NAME)
        assert app.registration is not None
        code = app.registration.resume_code
        assert code
        await type_text(pilot, "birth_date", "03.04.1996")
        await type_text(pilot, "person_id", "2023 1111 2222")  # the bug
        await wait_for_screen(pilot, ApologyScreen)
        assert app.is_running
        assert [type(error) for error in app.recovered] == [RuntimeError]
        # the apology is in the person's language, with their code
        tr = translator(locale)
        shown = screen_text(app)
        assert tr.gettext(ApologyScreen.SORRY) in shown
        assert f"{code[:4]}-{code[4:]}" in shown
        assert NAME not in shown
        # under it, a new language picker in bokmål; nothing of the person is left
        assert isinstance(app.screen_stack[0], LanguageScreen)
        assert len(app.screen_stack) == 2
        assert app.registration is None
        assert current().locale == "nb"
        await press_button(pilot, "#apology-ok")
        assert isinstance(app.screen, LanguageScreen)
        bug.__exit__(None, None, None)
        # the person continues with the code, in their own language
        app.resume(code, dt.date(1996, 4, 3))
        await pilot.pause()
        assert isinstance(app.screen, SectionScreen)
        assert app.screen.query("#q-person_id")
        assert app.registration is not None
        assert app.registration.form.get("full_name") == NAME
    # the log says where it happened, never what was typed
    log = crash_log_path().read_text("utf-8")
    assert "builtins.RuntimeError" in log
    assert "test_kiosk_recovery.py" in log
    assert NAME not in log
    assert "2023 1111 2222" not in log
    assert oct(crash_log_path().stat().st_mode & 0o777) == "0o600"


async def test_an_error_before_any_answer_says_nothing_was_saved(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: SectionScreen) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(SectionScreen, "on_mount", broken)
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "ti")
        await wait_for_screen(pilot, ApologyScreen)
        assert translator("ti").gettext(ApologyScreen.WITHOUT_CODE) in screen_text(app)
        assert app.is_running


@pytest.mark.slow
async def test_errors_one_after_another_end_the_app_to_be_started_afresh(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When recovering in place fails too, the app ends (``run_kiosk`` starts a new one)."""

    def broken(self: ApologyScreen) -> None:
        raise RuntimeError("a bug in the apology")

    monkeypatch.setattr(SectionScreen, "on_mount", broken)
    monkeypatch.setattr(ApologyScreen, "on_mount", broken)
    app = make_app(sqlite_db)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pick_language(pilot, "uk", it_ends=True)

    with pytest.raises(RuntimeError):
        await run()
    assert not app.left_with_pin
    assert len(app.recovered) == app_module.RECOVERIES + 1
    assert app.apology_due == ("uk", None)
