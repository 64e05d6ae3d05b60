"""``kompass audio``: the kiosk's voice, for checking it and for preparing recorded clips."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer

from kompass_tui.cli.output import fail, safe
from kompass_tui.i18n import _, current
from sporreskjema.files import make_private_dir
from sporreskjema.i18n import LOCALES, available_locales

app = typer.Typer(
    help=_("The kiosk's voice: hear it, and prepare recordings for it."), no_args_is_help=True
)

#: The list of what each rendered file says, written beside the files.
INDEX_NAME = "messages.tsv"


@app.command(
    "render",
    help=_(
        "Write every kiosk message of a locale as a WAV file, named as a recorded clip of the "
        "same message is named, with a list of what each file says."
    ),
)
def render_command(
    locale: Annotated[
        str, typer.Option("--locale", metavar="LOCALE", help=_("The locale to speak."))
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="DIR", help=_("The folder to write to (made if it is not there).")
        ),
    ],
) -> None:
    # The voice is loaded for this command only, not at every start of the kiosk.
    from kompass_tui.voice.voices import SpeechError, can_speak, clip_key, kiosk_messages, render

    if locale not in LOCALES or locale not in available_locales():
        fail(_("There is no locale '%(locale)s'.") % {"locale": locale})
    messages = kiosk_messages(locale)
    if not any(can_speak(locale, text) for text in messages):
        fail(_("There is no voice and no recording for %(locale)s.") % {"locale": locale})
    try:
        make_private_dir(out)
    except OSError as exc:
        fail(_("Cannot write to %(path)s: %(reason)s") % {"path": out, "reason": exc.strerror})
    # One espeak-ng at a time on each processor: each message is a program of its own.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        files = [out / f"{clip_key(text)}.wav" for text in messages]
        try:
            list(pool.map(lambda job: render(locale, *job), zip(messages, files, strict=True)))
        except SpeechError as exc:
            fail(exc.message.render(current()))
        except OSError as exc:
            fail(_("Cannot write to %(path)s: %(reason)s") % {"path": out, "reason": exc.strerror})
    lines = [
        f"{path.name}\t{_one_line(text)}\n" for path, text in zip(files, messages, strict=True)
    ]
    (out / INDEX_NAME).write_text("".join(lines), encoding="utf-8")
    typer.echo(
        _("%(count)d messages written to %(path)s (what each says: %(index)s).")
        % {"count": len(files), "path": safe(str(out)), "index": INDEX_NAME}
    )


def _one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
