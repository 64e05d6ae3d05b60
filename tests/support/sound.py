"""Sound in tests: how loud a WAV file is, and whether espeak-ng is here to make one."""

from __future__ import annotations

import array
import math
import os
import wave
from pathlib import Path

import pytest

from kompass_tui.voice.voices import espeak

#: CI installs espeak-ng (.ci/run), and there a test that needs it always runs; elsewhere it
#: says why it did not.
needs_espeak = pytest.mark.skipif(
    espeak() is None and not os.environ.get("CI"), reason="espeak-ng is not installed"
)


def loudness(path: Path) -> int:
    """The loudest of every 8th sample of a 16-bit WAV file: 0 for silence (every 8th is
    plenty for speech, and the suite measures thousands of files)."""
    with wave.open(str(path)) as sound:
        assert sound.getsampwidth() == 2
        samples = array.array("h", sound.readframes(sound.getnframes()))[::8]
    return max(max(samples, default=0), -min(samples, default=0))


def tone(path: Path, hertz: float, seconds: float = 0.2, rate: int = 22050) -> bytes:
    """Write a mono 16-bit tone at ``path`` (a stand-in for a recorded clip); its frames."""
    frames = array.array(
        "h",
        (int(8000 * math.sin(2 * math.pi * hertz * n / rate)) for n in range(int(rate * seconds))),
    ).tobytes()
    with wave.open(str(path), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(frames)
    return frames


def frames(path: Path) -> bytes:
    with wave.open(str(path)) as sound:
        return sound.readframes(sound.getnframes())
