"""How each locale speaks: a recorded clip of the very message where there is one, else the
espeak-ng voice of its language, else not at all.

A clip is ``locales/<locale>/clips/<key>.wav``, where the key is made from the text it says
(:func:`clip_key`): a message that changes gets a new key, so an old clip is never played
for a new text. ``kompass audio render`` writes files with the same names, so a rendered file
or a recording made from its list can be dropped into the folder as it is. A clip is a WAV
file in :data:`CLIP_FORMAT`, the voice's own, so that a page is said as one sound: each
message by its clip, the others by the voice, in the page's order (:func:`render_parts`).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Literal

from babel.messages.pofile import read_po

from kompass_tui.i18n import N_, Msg
from sporreskjema.i18n import DOMAIN, locales_dir

#: The espeak-ng voice of each locale that has one. Nynorsk is read by the bokmål voice and
#: Dari by the Persian one; Kurmanji is espeak-ng's "ku". Pashto, Tigrinya, Somali and Sorani
#: have no espeak-ng voice: they speak by clips, or not at all.
ESPEAK_VOICES: Final = {
    "nb": "nb",
    "nn": "nb",
    "en": "en-gb",
    "uk": "uk",
    "ru": "ru",
    "ar": "ar",
    "fa_AF": "fa",
    "fr": "fr-fr",
    "kmr": "ku",
    "tr": "tr",
    "sw": "sw",
    "am": "am",
}
#: Where the kiosk's messages are written in the code: what ``kompass audio render`` says, and
#: what a locale's clips are counted against.
KIOSK_SOURCES: Final = (
    "kompass_tui/wizard/",
    "kompass_tui/kiosk/",
    "kompass_tui/widgets/",
    "sporreskjema/definitions/",
)
#: A clip's format, as espeak-ng writes it: mono, 16-bit, 22,050 frames a second. A file in
#: another format is not played (convert it, e.g. ``sox in.wav -r 22050 -c 1 -b 16 out.wav``).
CLIP_FORMAT: Final = (1, 2, 22050)
#: Longest a text may be that espeak-ng is asked to say (a screen's worth of it).
MAX_TEXT: Final = 4000


class SpeechError(Exception):
    """Speech that cannot be made: the reason, translated when shown."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message


def clip_key(text: str) -> str:
    """The name (without ``.wav``) of a clip that says ``text``: made from the text alone."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def clips_dir(locale: str) -> Path:
    return locales_dir() / locale / "clips"


def clip(locale: str, text: str) -> Path | None:
    """The recorded clip of ``text`` in ``locale``, if there is one in :data:`CLIP_FORMAT`."""
    path = clips_dir(locale) / f"{clip_key(text)}.wav"
    try:
        with wave.open(str(path), "rb") as sound:
            fits = (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == CLIP_FORMAT
    except (OSError, EOFError, wave.Error):
        return None
    return path if fits else None


@cache
def espeak() -> str | None:
    """The espeak-ng program, if it is installed."""
    return shutil.which("espeak-ng")


@cache
def espeak_languages() -> frozenset[str]:
    """The languages the installed espeak-ng has a voice for (none when it is missing)."""
    program = espeak()
    if program is None:
        return frozenset()
    try:
        listing = subprocess.run(  # noqa: S603 - espeak-ng as found on PATH, no shell
            [program, "--voices"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # " 5  nb              --/M      Norwegian_Bokmaal  gmw/nb    (no 5)": the second column.
    return frozenset(line.split()[1] for line in listing.splitlines()[1:] if line.split()[1:])


def espeak_voice(locale: str) -> str | None:
    """The espeak-ng voice that speaks ``locale`` here, if espeak-ng has it."""
    voice = ESPEAK_VOICES.get(locale)
    return voice if voice is not None and voice in espeak_languages() else None


@cache
def kiosk_messages(locale: str) -> tuple[str, ...]:
    """Every kiosk message as ``locale`` shows it (its translation, else the English text),
    each once, in the catalog's order."""
    path = locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=None)
    seen: dict[str, None] = {}
    for message in catalog:
        if not message.id or not any(
            where.startswith(KIOSK_SOURCES) for where, _line in message.locations
        ):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        usable = not message.fuzzy and all(strings)
        for text in strings if usable else ids:
            seen.setdefault(str(text), None)
    return tuple(seen)


Way = Literal["clips", "voice", "none"]


@dataclass(frozen=True)
class Speech:
    """How one locale speaks: its espeak-ng voice, and how many kiosk messages have a clip."""

    locale: str
    voice: str | None
    clips: int
    messages: int

    @property
    def way(self) -> Way:
        """Clips where every kiosk message has one; else the voice (any clips there are still
        play first); else clips for some messages; else none."""
        if self.messages and self.clips >= self.messages:
            return "clips"
        if self.voice is not None:
            return "voice"
        return "clips" if self.clips else "none"

    @property
    def coverage(self) -> float:
        return self.clips / self.messages if self.messages else 0.0


def speech(locale: str) -> Speech:
    """How ``locale`` speaks on this machine."""
    folder = clips_dir(locale)
    messages = kiosk_messages(locale)
    clips = 0
    if folder.is_dir():
        present = {path.stem for path in folder.glob("*.wav")}
        clips = sum(
            clip_key(text) in present and clip(locale, text) is not None for text in messages
        )
    return Speech(locale, espeak_voice(locale), clips, len(messages))


def can_speak(locale: str, parts: Sequence[str]) -> bool:
    """Whether any of ``parts`` can be said in ``locale``: by the voice, or by a clip."""
    return espeak_voice(locale) is not None or any(clip(locale, part) for part in parts)


def render_parts(locale: str, parts: Sequence[str], out: Path) -> Path:
    """Write ``parts`` (a page's messages, in order) said in ``locale`` as one WAV file at
    ``out``: each part by its clip where there is one, the parts between by the voice in one
    go. A part with neither is left out; with none to say it is a :class:`SpeechError`."""
    segments: list[Path | str] = []  # a clip, or text for the voice
    for part in parts:
        recorded = clip(locale, part)
        if recorded is not None:
            segments.append(recorded)
        elif espeak_voice(locale) is not None:
            if segments and isinstance(segments[-1], str):
                segments[-1] += "\n" + part
            else:
                segments.append(part)
    if not segments:
        raise _silent(locale)
    if len(segments) == 1:
        only = segments[0]
        return render(locale, only, out) if isinstance(only, str) else _copied(only, out)
    with tempfile.TemporaryDirectory(prefix="kompass-voice-") as folder:
        sounds = [
            segment
            if isinstance(segment, Path)
            else render(locale, segment, Path(folder) / f"{n}.wav")
            for n, segment in enumerate(segments)
        ]
        with wave.open(str(out), "wb") as joined:
            joined.setnchannels(CLIP_FORMAT[0])
            joined.setsampwidth(CLIP_FORMAT[1])
            joined.setframerate(CLIP_FORMAT[2])
            for sound in sounds:
                with wave.open(str(sound), "rb") as piece:
                    joined.writeframes(piece.readframes(piece.getnframes()))
    return out


def _silent(locale: str) -> SpeechError:
    return SpeechError(
        Msg(N_("There is no voice and no recording for %(locale)s."), {"locale": locale})
    )


def _copied(source: Path, out: Path) -> Path:
    shutil.copyfile(source, out)
    return out


def render(locale: str, text: str, out: Path) -> Path:
    """Write ``text`` said in ``locale`` as a WAV file at ``out``: its clip, copied, or
    espeak-ng's voice. A locale with neither is a :class:`SpeechError`."""
    recorded = clip(locale, text)
    if recorded is not None:
        return _copied(recorded, out)
    voice = espeak_voice(locale)
    program = espeak()
    if voice is None or program is None:
        raise _silent(locale)
    try:
        # The text goes in on standard input: never read as an option, however it starts.
        subprocess.run(  # noqa: S603 - espeak-ng as found on PATH, no shell
            [program, "-v", voice, "-w", str(out), "--stdin"],
            input=text[:MAX_TEXT].encode("utf-8"),
            capture_output=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SpeechError(
            Msg(N_("espeak-ng could not speak: %(reason)s"), {"reason": type(exc).__name__})
        ) from None
    return out
