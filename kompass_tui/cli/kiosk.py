"""``kompass kiosk``: the self-registration kiosk (also what a bare ``kompass`` starts)."""

from __future__ import annotations

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
) -> None:
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
    from kompass_tui.kiosk.app import run_kiosk

    # Process-wide: set only once the command is going to run the kiosk.
    bidi.set_mode(bidi_mode or bidi.mode_from_environment())

    # The database is opened by the app right after its first screen is painted; a problem
    # with it ends the app with a one-line message.
    code = run_kiosk(db, kiosk_settings, idle_seconds=idle_timeout, high_contrast=high_contrast)
    if code:
        raise typer.Exit(code)
