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
from kompass_tui.voice.voices import ESPEAK_VOICES, clip_key, kiosk_messages, speech
from sporreskjema.i18n import LOCALES, translator
from tests.support.sound import loudness, needs_espeak


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
        (clips / f"{clip_key(text)}.wav").write_bytes(b"RIFF")
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
