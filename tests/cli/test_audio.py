"""``kompass audio render`` and how ``kompass locales`` reports speech, through Typer's runner;
and how the kiosk finds the machine's sound."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.voice import voices
from kompass_tui.voice.player import find_player
from kompass_tui.voice.voices import (
    ESPEAK_VOICES,
    SpeechError,
    can_speak,
    clip_key,
    kiosk_messages,
    render,
    render_parts,
    speech,
)
from sporreskjema.i18n import LOCALES, translator
from tests.support.sound import frames, loudness, needs_espeak, tone


@needs_espeak
@pytest.mark.parametrize("locale", sorted(ESPEAK_VOICES))
def test_render_writes_a_sound_for_every_kiosk_message(locale: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["audio", "render", "--locale", locale, "--out", str(out)],
        env={"KOMPASS_LOCALE": "en"},
    )
    assert result.exit_code == 0, result.output
    messages = kiosk_messages(locale)
    assert len(messages) > 250
    index = (out / "messages.tsv").read_text("utf-8").splitlines()
    assert len(index) == len(messages)
    silent = [text for text in messages if loudness(out / f"{clip_key(text)}.wav") < 1000]
    assert silent == []
    # The kiosk's own words are among them, in the locale's language.
    assert translator(locale).gettext("Read aloud") in messages


@needs_espeak
def test_a_page_is_said_message_by_message_with_its_clips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each message that has a clip is said by its clip, the others by the voice in one go, in
    the page's order; a clip in another format is not played, nor counted."""
    monkeypatch.setattr(voices, "clips_dir", lambda locale: tmp_path / "clips" / locale)
    first, second, third = kiosk_messages("ti")[:3]
    (tmp_path / "clips" / "ti").mkdir(parents=True)
    one = tone(tmp_path / "clips" / "ti" / f"{clip_key(first)}.wav", 440)
    two = tone(tmp_path / "clips" / "ti" / f"{clip_key(second)}.wav", 660)
    # Tigrinya has no voice: its clips alone, in order; the message without one is left out.
    assert can_speak("ti", [third, first])
    assert not can_speak("ti", [third])
    assert frames(render_parts("ti", [first, third, second], tmp_path / "ti.wav")) == one + two
    with pytest.raises(SpeechError):
        render_parts("ti", [third], tmp_path / "none.wav")
    assert speech("ti").clips == 2
    # Ukrainian has a voice: a clip for the page's second message, the voice for the others.
    page = kiosk_messages("uk")[:4]
    (tmp_path / "clips" / "uk").mkdir()
    recorded = tone(tmp_path / "clips" / "uk" / f"{clip_key(page[1])}.wav", 550)
    said = frames(render_parts("uk", page, tmp_path / "uk.wav"))
    before = frames(render("uk", page[0], tmp_path / "before.wav"))
    after = frames(render("uk", "\n".join(page[2:]), tmp_path / "after.wav"))
    assert said == before + recorded + after
    # A clip recorded at 44,100 frames a second is not the voice's format: not played.
    tone(tmp_path / "clips" / "uk" / f"{clip_key(page[1])}.wav", 550, rate=44100)
    assert frames(render_parts("uk", page[1:2], tmp_path / "uk2.wav")) != recorded
    assert speech("uk").clips == 0


def test_render_refuses_a_locale_without_a_voice_or_one_that_is_not_there(tmp_path: Path) -> None:
    runner = CliRunner()
    for locale in ("ti", "xx"):
        result = runner.invoke(
            app, ["audio", "render", "--locale", locale, "--out", str(tmp_path)],
            env={"KOMPASS_LOCALE": "en"},
        )  # fmt: skip
        assert result.exit_code == 1
        assert result.output.startswith("Error: There is no ")
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@needs_espeak
def test_locales_says_how_each_locale_speaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Clips for two of Tigrinya's messages.
    monkeypatch.setattr(voices, "clips_dir", lambda locale: tmp_path / locale)
    clips = tmp_path / "ti"
    clips.mkdir()
    for text in kiosk_messages("ti")[:2]:
        tone(clips / f"{clip_key(text)}.wav", 440)
    result = CliRunner().invoke(app, ["locales", "--json"], env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 0, result.output
    spoken = {entry["code"]: entry["speech"] for entry in json.loads(result.output)["locales"]}
    assert set(spoken) >= set(LOCALES)
    for code in ESPEAK_VOICES:
        assert spoken[code]["way"] == "voice", code
    assert spoken["ti"]["way"] == "clips"
    assert spoken["ti"]["clips"] == 2
    assert 0 < spoken["ti"]["coverage"] < 0.1
    for code in ("ps", "so", "ckb"):
        assert spoken[code] == {
            "way": "none", "voice": None, "clips": 0, "messages": spoken[code]["messages"],
            "coverage": 0.0,
        }  # fmt: skip
    assert speech("uk").voice == "uk"
    table = CliRunner().invoke(app, ["locales"], env={"KOMPASS_LOCALE": "en", "COLUMNS": "120"})
    assert "No sound on this machine: sound is turned off (KOMPASS_AUDIO_PLAYER)" in table.output


def test_the_player_is_found_from_what_the_machine_has(tmp_path: Path) -> None:
    assert not find_player({"KOMPASS_AUDIO_PLAYER": "off"}).found
    missing = find_player({"KOMPASS_AUDIO_PLAYER": "no-such-player-here --x"})
    assert not missing.found
    assert "not installed" in missing.reason.msgid
    chosen = find_player({"KOMPASS_AUDIO_PLAYER": "sh -c 'true'"})
    assert chosen.command == ("sh", "-c", "true")
    # No PipeWire or PulseAudio socket in an empty runtime folder; ALSA as the machine has it.
    found = find_player({"XDG_RUNTIME_DIR": str(tmp_path)})
    assert found.command in (None, ("aplay", "-q"))
    (tmp_path / "pulse").mkdir()
    (tmp_path / "pulse" / "native").touch()
    pulse = find_player({"XDG_RUNTIME_DIR": str(tmp_path)})
    if pulse.command != ("paplay",):
        assert pulse.command in (None, ("aplay", "-q"))  # paplay is not installed here
