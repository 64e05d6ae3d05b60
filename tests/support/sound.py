"""Sound in tests: how loud a WAV file is, and whether espeak-ng is here to make one."""

from __future__ import annotations

import array
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
