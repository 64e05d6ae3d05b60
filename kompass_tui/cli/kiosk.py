"""``kompass kiosk``: the self-registration kiosk (also what a bare ``kompass`` starts)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from kompass_tui.cli.common import DbOption
from kompass_tui.cli.options import choice
from kompass_tui.cli.output import fail
from kompass_tui.i18n import _, current
from kompass_tui.kiosk import settings
from kompass_tui.widgets import bidi


def _ask_pin() -> None:
    """Ask for a new caseworker PIN until one is valid and typed the same twice, and save it.

    A PIN that breaks the rules, or a repetition that differs, is asked for again with the
    reason in the user's language. The end of the input or Ctrl+C stops the command with
    one line and no PIN saved.
    """
    while True:
        try:
            pin: str = typer.prompt(_("New caseworker PIN (digits)"), hide_input=True)
            try:
                settings.check_new_pin(pin)
            except settings.SettingsError as exc:
                typer.echo(exc.message.render(current()), err=True)
                continue
            again: str = typer.prompt(_("Repeat the PIN"), hide_input=True)
        except typer.Abort:
            fail(_("No PIN was set."))
        if again.strip() != pin.strip():
            typer.echo(_("The two PINs are not the same. Try again."), err=True)
            continue
        try:
            settings.set_pin(pin)
        except settings.SettingsError as exc:
            fail(exc.message.render(current()))
        return


def _save_printer(name: str | None) -> None:
    from kompass_tui.exchange import pdf, printing

    if name is not None:
        try:  # the copy must be printable before the kiosk offers it
            pdf.require()
            printing.check_printer(name)
        except (pdf.PdfError, printing.PrintError) as exc:
            fail(
                _("%(reason)s The kiosk's printer was not changed.")
                % {"reason": exc.message.render(current())}
            )
    try:
        settings.set_printer(name)
    except settings.SettingsError as exc:
        fail(exc.message.render(current()))
    if name is None:
        typer.echo(_("The kiosk offers no printed copy from now on."))
    else:
        typer.echo(
            _("The kiosk offers each person a printed copy on %(printer)s from now on.")
            % {"printer": name}
        )


def _can_print(name: str) -> bool:
    """Whether the printer and the PDF part are there; if not, the staff who start the kiosk
    are told why (they can still put it right). The kiosk runs either way, and offers no copy
    while it cannot print."""
    from kompass_tui.exchange import pdf, printing

    try:
        pdf.require()
        printing.check_printer(name)
    except (pdf.PdfError, printing.PrintError) as exc:
        typer.echo(
            _("The kiosk offers no printed copy: %(reason)s")
            % {"reason": exc.message.render(current())},
            err=True,
        )
        return False
    return True


def kiosk(
    db: DbOption = None,
    idle_timeout: Annotated[
        int | None,
        typer.Option(
            "--idle-timeout",
            min=0,
            help=_(
                "Seconds without input before the kiosk warns and clears the screen (0: never)."
            ),
            show_default=False,
        ),
    ] = None,
    set_pin: Annotated[
        bool,
        typer.Option(
            "--set-pin",
            help=_("Set the caseworker PIN that is needed to leave the kiosk, and stop."),
        ),
    ] = False,
    high_contrast: Annotated[
        bool,
        typer.Option(
            "--high-contrast", help=_("Start with the high-contrast colours (F3 switches).")
        ),
    ] = False,
    bidi_mode: Annotated[
        bidi.BidiMode | None,
        typer.Option(
            "--bidi",
            parser=choice(bidi.BidiMode),
            help=_(
                "Right-to-left text: 'app' shapes and orders it for terminals that cannot "
                "(the default), 'terminal' leaves it to a terminal that does bidi, 'off' shows "
                "it as stored. Also KOMPASS_BIDI."
            ),
            show_default=False,
        ),
    ] = None,
    set_recipient: Annotated[
        Path | None,
        typer.Option(
            "--set-recipient",
            help=_(
                "Seal every record this kiosk sends to this public key (kompass-recipient.txt), and stop. The kiosk then keeps only the sealed records."
            ),
            show_default=False,
        ),
    ] = None,
    unfinished_days: Annotated[
        int | None,
        typer.Option(
            "--unfinished-days",
            min=1,
            help=_(
                "With --set-recipient: days an unfinished registration is kept before it is deleted (default 30)."
            ),
            show_default=False,
        ),
    ] = None,
    set_printer: Annotated[
        str | None,
        typer.Option(
            "--set-printer",
            help=_(
                "Offer each person a printed copy of their answers, in their language, on this CUPS printer (lpstat -p lists them), and stop."
            ),
            show_default=False,
        ),
    ] = None,
    no_printer: Annotated[
        bool,
        typer.Option("--no-printer", help=_("Offer no printed copy any more, and stop.")),
    ] = False,
) -> None:
    if set_printer is not None or no_printer:
        _save_printer(None if no_printer else set_printer)
        return
    if set_pin:
        _ask_pin()
        typer.echo(_("The PIN is saved."))
        return
    if set_recipient is not None:
        from kompass_tui.cli.keys import recipients

        public = [str(key) for key in recipients(set_recipient)]
        try:
            settings.set_recipients(public, unfinished_days)
        except settings.SettingsError as exc:
            fail(exc.message.render(current()))
        typer.echo(
            _("Records sent at this kiosk are sealed from now on to: %(keys)s")
            % {"keys": ", ".join(public)}
        )
        return
    if unfinished_days is not None:
        fail(_("--unfinished-days goes with --set-recipient."))
    try:
        kiosk_settings = settings.load()
    except settings.SettingsError as exc:
        fail(exc.message.render(current()))
    if kiosk_settings.recipients:
        from kompass_tui.exchange.sealed import SealError

        try:  # a broken key is found now, not at the first person's sending
            kiosk_settings.sealing_keys()
        except SealError as exc:
            fail(exc.message.render(current()))
    if not kiosk_settings.pin_hash:
        typer.echo(_("This kiosk has no caseworker PIN yet. Staff need it to leave the kiosk."))
        _ask_pin()
        kiosk_settings = settings.load()
    if kiosk_settings.printer and not _can_print(kiosk_settings.printer):
        kiosk_settings = dataclasses.replace(kiosk_settings, printer=None)
    from kompass_tui.kiosk.app import run_kiosk

    # Process-wide: set only once the command is going to run the kiosk.
    bidi.set_mode(bidi_mode or bidi.mode_from_environment())

    # The database is opened by the app right after its first screen is painted; a problem
    # with it ends the app with a one-line message.
    code = run_kiosk(db, kiosk_settings, idle_seconds=idle_timeout, high_contrast=high_contrast)
    if code:
        raise typer.Exit(code)
