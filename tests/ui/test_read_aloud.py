"""Reading aloud (F5) through the real kiosk: the page's question said in the person's own
language through the machine's player, stopped by F5 again or by moving on; without a sound
device the kiosk has no button for it and F5 does nothing."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot

from kompass_tui.kiosk.screens.guard import IdleScreen
from kompass_tui.storage.database import Database
from kompass_tui.voice import voices
from kompass_tui.widgets.crash import crash_log_path, notice_log_path
from kompass_tui.widgets.questions import QuestionField
from kompass_tui.widgets.spoken import spoken_parts
from kompass_tui.widgets.visual import OptionList
from kompass_tui.wizard.screens.receipt import RECEIPT_TEXT, ReceiptScreen
from kompass_tui.wizard.screens.section import SectionScreen
from kompass_tui.wizard.screens.summary import SummaryScreen
from sporreskjema.i18n import available_locales, own_name, translator
from tests.support.kiosk_pilot import (
    answered_without_schooling,
    error_of,
    make_app,
    next_step,
    pick_language,
    press_button,
    tick,
    type_text,
    wait_for_screen,
)
from tests.support.sound import frames, loudness, needs_espeak, tone

SIZE = (100, 32)


@pytest.fixture
def player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A player that keeps a copy of what it is given and plays for a long time (until it is
    stopped): the folder where it keeps what it played."""
    heard = tmp_path / "heard"
    heard.mkdir()
    script = tmp_path / "play"
    script.write_text(f'#!/bin/sh\ncp "$1" "{heard}/$(date +%s%N).wav"\nexec sleep 30\n')
    script.chmod(0o755)
    monkeypatch.setenv("KOMPASS_AUDIO_PLAYER", str(script))
    return heard


async def until(pilot: Pilot[None], condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition did not come true in time")


def first_question(pilot: Pilot[None]) -> QuestionField:
    return pilot.app.screen.query(QuestionField).first()


@needs_espeak
@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "am"])
async def test_f5_says_the_question_in_the_persons_language_and_moving_on_stops_it(
    sqlite_db: Database, player: Path, locale: str
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.speaks())
        await pick_language(pilot, locale)
        await wait_for_screen(pilot, SectionScreen)
        assert app.screen.query("#speak-button"), "a visible button, beside the language"
        await pilot.press("f5")
        field = first_question(pilot)
        said = app.speaker.said
        assert said is not None
        assert said[0] == locale
        assert translator(locale).gettext(field.question.label) in said[1]
        await until(pilot, lambda: any(player.glob("*.wav")) and app.speaker.process is not None)
        process = app.speaker.process
        assert process is not None
        assert process.poll() is None, "it is playing"
        await until(pilot, lambda: loudness(next(player.glob("*.wav"))) > 1000)  # not silence
        await pilot.press("tab")  # the person moves on
        await asyncio.to_thread(process.wait, 5)
        assert not app.speaker.speaking


@needs_espeak
@pytest.mark.parametrize("locale", ["uk", "ar"])
async def test_the_start_page_an_error_and_the_receipt_are_read_aloud(
    sqlite_db: Database, player: Path, locale: str
) -> None:
    app = make_app(sqlite_db)
    tr = translator(locale)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.speaks())
        await pick_language(pilot, locale)
        await wait_for_screen(pilot, SectionScreen)
        await pilot.press("f5")  # the start page: why we ask, who sees the answers
        assert app.speaker.said is not None
        assert app.speaker.said[0] == locale
        for note in ("why_survey", "who_sees"):
            help_text = app.registration.questionnaire.question(note).help
            assert tr.gettext(help_text) in app.speaker.said[1], note
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "birth_date", "31.02.1990")  # a day that does not exist
        await next_step(pilot)
        error = error_of(pilot, "birth_date")
        assert error, "the date is refused"
        await pilot.press("f5")
        assert error in app.speaker.said[1]  # the error, in the person's language
        await answered_without_schooling(pilot)
        await wait_for_screen(pilot, SummaryScreen)
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        await wait_for_screen(pilot, ReceiptScreen)
        await pilot.press("f5")
        assert app.speaker.said[0] == locale
        assert tr.gettext("Thank you!") in app.speaker.said[1]
        for paragraph in RECEIPT_TEXT:
            assert tr.gettext(paragraph) in app.speaker.said[1]
        await until(pilot, lambda: app.speaker.process is not None)
        assert isinstance(app.screen, ReceiptScreen), "F5 does not finish the receipt"


@needs_espeak
async def test_f5_typed_in_the_same_instant_as_other_keys_still_reads(
    sqlite_db: Database, player: Path
) -> None:
    """Keys that come back up from the page after F5 was read are no new keys: they do not
    stop the reading F5 began (a terminal sends keys typed fast in one go)."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.speaks())
        await pick_language(pilot, "uk")
        await wait_for_screen(pilot, SectionScreen)
        for key in ("down", "down", "f5"):  # one after another, none waited for
            app.post_message(events.Key(key, None))
        await until(pilot, lambda: app.speaker.process is not None)
        await pilot.pause(0.3)
        assert app.speaker.speaking


@needs_espeak
async def test_f5_again_stops_and_the_button_reads_too(sqlite_db: Database, player: Path) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.speaks())
        await pick_language(pilot, "uk")
        await wait_for_screen(pilot, SectionScreen)
        await pilot.press("f5")
        await until(pilot, lambda: app.speaker.process is not None)
        process = app.speaker.process
        assert process is not None
        await pilot.press("f5")
        await asyncio.to_thread(process.wait, 5)
        assert not app.speaker.speaking
        await pilot.click("#speak-button")
        await until(pilot, lambda: app.speaker.speaking)


async def test_a_language_without_a_voice_says_so(sqlite_db: Database, player: Path) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.speaks())
        await pick_language(pilot, "ti")  # no espeak-ng voice, no clips
        await wait_for_screen(pilot, SectionScreen)
        await pilot.press("f5")
        await pilot.pause()
        assert not app.speaker.speaking
        said = translator("ti").gettext("There is no voice in this language yet.")
        assert [n.message for n in app._notifications] == [said]


async def test_a_language_with_clips_says_the_page_by_its_clips(
    sqlite_db: Database, player: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tigrinya has no voice: with a recorded clip of each of the page's messages, F5 plays
    them one after another, as one sound."""
    clips = tmp_path / "clips"
    monkeypatch.setattr(voices, "clips_dir", lambda locale: clips / locale)
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.speaks())
        await pick_language(pilot, "ti")
        await wait_for_screen(pilot, SectionScreen)
        parts = spoken_parts(app.screen)
        assert len(parts) >= 4  # the notes and the acknowledgement
        (clips / "ti").mkdir(parents=True)
        recorded = b"".join(
            tone(clips / "ti" / f"{voices.clip_key(part)}.wav", 300 + 40 * n)
            for n, part in enumerate(parts)
        )
        await pilot.press("f5")
        await until(pilot, lambda: any(player.glob("*.wav")))
        assert frames(next(player.glob("*.wav"))) == recorded
        assert app.speaker.speaking


async def test_without_sound_there_is_no_button_and_f5_does_nothing(sqlite_db: Database) -> None:
    app = make_app(sqlite_db)  # the tests' KOMPASS_AUDIO_PLAYER=off: no sound
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "uk")
        await wait_for_screen(pilot, SectionScreen)
        assert not app.screen.query("#speak-button")
        await pilot.press("f5")
        await pilot.pause()
        await until(pilot, lambda: app.speaker is not None)  # looked for, a second after start
        assert not app.screen.query("#speak-button")
        assert app.speaker.said is None
        assert not app.speaker.speaking
    # The staff see why in the notice log; the crash log stays for errors alone.
    notices = notice_log_path().read_text("utf-8")
    assert "KOMPASS_AUDIO_PLAYER" in notices
    assert notices.count("---") == 1, "sound is looked for once"
    assert not crash_log_path().exists()


@needs_espeak
async def test_the_picker_says_each_language_in_that_language(
    sqlite_db: Database, player: Path
) -> None:
    """Someone who cannot read the list moves the cursor and hears each language's name in
    that language; a button without words (🔊) comes as soon as sound is found."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.screen.query("#speak-button")))
        app.screen.query_one(OptionList).focus()
        for code in ("uk", "ar", "am"):
            await pilot.press("home", *["down"] * available_locales().index(code), "f5")
            assert app.speaker.said == (
                code,
                f"{own_name(code)}\n{translator(code).gettext('Choose your language')}",
            )
        await until(pilot, lambda: app.speaker.process is not None)
        await pilot.press("home", *["down"] * available_locales().index("ti"), "f5")
        assert not app.speaker.speaking  # the arrows stopped it, and Tigrinya has no voice
        said = translator("ti").gettext("There is no voice in this language yet.")
        assert [n.message for n in app._notifications] == [said]


@needs_espeak
async def test_the_idle_warning_is_read_aloud_and_stays(sqlite_db: Database, player: Path) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.speaks())
        await pick_language(pilot, "uk")
        await wait_for_screen(pilot, SectionScreen)
        warning = IdleScreen(30)
        app.push_screen(warning)
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert warning.is_current, "F5 is not the person's 'I am still here'"
        tr = translator("uk")
        assert app.speaker.said is not None
        assert app.speaker.said[0] == "uk"
        assert tr.gettext("Are you still there?") in app.speaker.said[1]
        assert tr.gettext("Yes, continue") in app.speaker.said[1]
        assert "Крок" not in app.speaker.said[1]  # not the page under it


def test_the_kiosk_starts_without_loading_the_voice() -> None:
    """The voice's code (and espeak-ng's look-up) waits until the first screen is painted, so
    the kiosk starts as fast with sound as without; nor does `kompass` load Typer's rich help
    to start the kiosk."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, kompass_tui.cli, kompass_tui.kiosk.app; print(sorted(m for m in sys.modules if 'voice' in m or m == 'typer.rich_utils'))"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    assert loaded == "[]"
