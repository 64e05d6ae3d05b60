"""Sound through what the machine has, one thing said at a time, never blocking the screen.

:func:`find_player` looks once, at start, for a program that can play a WAV file on a sound
device that is there: ``pw-play`` (PipeWire), ``paplay`` (PulseAudio) or ``aplay`` (ALSA).
It only looks for files and programs, so a machine without sound starts as fast as before.
``KOMPASS_AUDIO_PLAYER`` names another command (the file is added at its end) or ``off``.

:class:`Speaker` says a text in a thread of its own: the WAV is made (a clip, or espeak-ng),
then played. Saying something else, or :meth:`Speaker.stop`, ends what is being said.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kompass_tui.i18n import N_, Msg
from kompass_tui.voice.voices import SpeechError, render_parts

#: The environment variable that chooses the player (a command line, or ``off``).
PLAYER_VARIABLE: Final = "KOMPASS_AUDIO_PLAYER"
#: Where ALSA lists the sound cards it has.
ALSA_CARDS: Final = Path("/proc/asound/cards")


@dataclass(frozen=True)
class Player:
    """The command that plays a WAV file (the file is added at its end), or why there is none."""

    command: tuple[str, ...] | None
    reason: Msg

    @property
    def found(self) -> bool:
        return self.command is not None


def find_player(environ: Mapping[str, str] | None = None) -> Player:
    """The machine's way of playing sound, or why it has none."""
    env = os.environ if environ is None else environ
    chosen = env.get(PLAYER_VARIABLE)
    if chosen is not None:
        return _chosen(chosen)
    runtime = env.get("XDG_RUNTIME_DIR")
    if shutil.which("pw-play") and runtime and Path(runtime, "pipewire-0").exists():
        return Player(("pw-play",), Msg(N_("PipeWire (pw-play)")))
    if shutil.which("paplay") and (
        env.get("PULSE_SERVER") or (runtime and Path(runtime, "pulse", "native").exists())
    ):
        return Player(("paplay",), Msg(N_("PulseAudio (paplay)")))
    if shutil.which("aplay") and _alsa_has_cards():
        return Player(("aplay", "-q"), Msg(N_("ALSA (aplay)")))
    return Player(
        None,
        Msg(
            N_(
                "no sound device: no PipeWire or PulseAudio server is running, and ALSA "
                "has no sound card (or aplay is not installed)"
            )
        ),
    )


def _chosen(value: str) -> Player:
    try:
        command = tuple(shlex.split(value))
    except ValueError:
        command = ()
    if not command or command[0].lower() in {"off", "none", "no"}:
        return Player(None, Msg(N_("sound is turned off (%(name)s)"), {"name": PLAYER_VARIABLE}))
    if shutil.which(command[0]) is None:
        return Player(
            None,
            Msg(
                N_("%(name)s names %(program)s, which is not installed"),
                {"name": PLAYER_VARIABLE, "program": command[0]},
            ),
        )
    return Player(command, Msg(N_("%(program)s (chosen)"), {"program": command[0]}))


def _alsa_has_cards() -> bool:
    try:
        listing = ALSA_CARDS.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(listing.strip()) and "no soundcards" not in listing


class _Saying:
    """One page being said: made into sound, then played, unless it is stopped first."""

    def __init__(
        self,
        command: tuple[str, ...],
        locale: str,
        parts: Sequence[str],
        failed: Callable[[Msg], None],
    ) -> None:
        self.command, self.locale, self.parts, self.failed = command, locale, parts, failed
        self.stopped = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="kompass-voice", daemon=True)

    def _run(self) -> None:
        handle, name = tempfile.mkstemp(prefix="kompass-voice-", suffix=".wav")
        os.close(handle)
        wav = Path(name)
        try:
            render_parts(self.locale, self.parts, wav)
            with self._lock:
                if self.stopped.is_set():
                    return
                # The player the machine has (or the one its administrator chose), no shell.
                self.process = subprocess.Popen(  # noqa: S603
                    [*self.command, str(wav)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            self.process.wait()
        except SpeechError as exc:
            self.failed(exc.message)
        except OSError as exc:
            self.failed(
                Msg(
                    N_("%(program)s could not play: %(reason)s"),
                    {"program": self.command[0], "reason": type(exc).__name__},
                )
            )
        finally:
            wav.unlink(missing_ok=True)

    def stop(self) -> None:
        with self._lock:
            self.stopped.set()
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()

    @property
    def going(self) -> bool:
        return self.thread.is_alive() and not self.stopped.is_set()


class Speaker:
    """Says one text at a time through ``player``; ``failed`` hears why a text could not be
    said (it is called from the speaker's thread)."""

    def __init__(self, player: Player, failed: Callable[[Msg], None] | None = None) -> None:
        self.player = player
        self._failed = failed or (lambda _message: None)
        self._saying: _Saying | None = None
        #: The last text asked for, with its locale (what the person heard, or is hearing).
        self.said: tuple[str, str] | None = None

    @property
    def available(self) -> bool:
        return self.player.found

    @property
    def speaking(self) -> bool:
        return self._saying is not None and self._saying.going

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The player playing now, if any."""
        return self._saying.process if self._saying is not None else None

    def say(self, locale: str, parts: Sequence[str]) -> bool:
        """Stop what is being said and say ``parts`` (a page's messages) in ``locale``; False
        when there is no way to play sound here."""
        self.stop()
        command = self.player.command
        if command is None:
            return False
        self.said = (locale, "\n".join(parts))
        self._saying = _Saying(command, locale, parts, self._failed)
        self._saying.thread.start()
        return True

    def stop(self) -> None:
        saying, self._saying = self._saying, None
        if saying is not None:
            saying.stop()
