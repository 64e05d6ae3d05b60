"""``kompass keys``: the municipality's key pair for sealed records.

The public key (the *recipient*) goes to every kiosk and every sealed export; the private key
(the *identity*) stays with the municipality, sealed with a passphrase."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kompass_tui.cli.output import fail, safe
from kompass_tui.i18n import _, current

if TYPE_CHECKING:
    from kompass_tui.exchange.sealed import Identity, Recipient

app = typer.Typer(help=_("The key pair that seals records."), no_args_is_help=True)

#: The environment variable a script may set instead of typing the key's passphrase.
PASSPHRASE_ENV_VAR = "KOMPASS_PASSPHRASE"  # noqa: S105 - the name of a variable

IdentityOption = Annotated[
    Path | None,
    typer.Option(
        "--identity",
        help=_("The private key file (kompass-key.age) that opens sealed records."),
        show_default=False,
    ),
]


def new_passphrase() -> str:
    """A new passphrase: ``KOMPASS_PASSPHRASE``, or typed twice, hidden."""
    from kompass_tui.exchange.sealed import SealError, check_new_passphrase

    given = os.environ.get(PASSPHRASE_ENV_VAR)
    while True:
        passphrase = given or typer.prompt(_("New passphrase for the key"), hide_input=True)
        try:
            check_new_passphrase(passphrase)
        except SealError as exc:
            if given:
                fail(exc.message.render(current()))
            typer.echo(exc.message.render(current()), err=True)
            continue
        if given or typer.prompt(_("Repeat the passphrase"), hide_input=True) == passphrase:
            return passphrase
        typer.echo(_("The two passphrases are not the same. Try again."), err=True)


def identities(path: Path) -> list[Identity]:
    """The private keys in ``path``, its passphrase from ``KOMPASS_PASSPHRASE`` or a hidden
    prompt; or one line and exit 1."""
    from kompass_tui.exchange.sealed import SealError, read_identities

    def passphrase() -> str:
        given: str = os.environ.get(PASSPHRASE_ENV_VAR) or typer.prompt(
            _("Passphrase for %(path)s") % {"path": safe(str(path))}, hide_input=True
        )
        return given

    try:
        return read_identities(path, passphrase)
    except SealError as exc:
        fail(exc.message.render(current()))


def recipients(path: Path) -> list[Recipient]:
    """The public keys in ``path``; or one line and exit 1."""
    from kompass_tui.exchange.sealed import SealError, read_recipients

    try:
        return read_recipients(path)
    except SealError as exc:
        fail(exc.message.render(current()))


@app.command(
    "new",
    help=_(
        "Make a new key pair in a folder: kompass-key.age (the private key, sealed with a passphrase that is asked for twice, hidden, or taken from KOMPASS_PASSPHRASE) and kompass-recipient.txt (the public key for kiosks and exports)."
    ),
)
def new(
    out: Annotated[
        Path,
        typer.Option("--out", help=_("The folder for the two files."), show_default=False),
    ],
) -> None:
    from kompass_tui.exchange.sealed import SealError, new_keys

    passphrase = new_passphrase()
    try:
        made = new_keys(out, passphrase)
    except SealError as exc:
        fail(exc.message.render(current()))
    typer.echo(
        _("Private key (keep it safe, with its passphrase): %(path)s")
        % {"path": safe(str(made.identity))}
    )
    typer.echo(
        _("Public key (for kiosks and exports): %(path)s") % {"path": safe(str(made.recipient))}
    )
    typer.echo(made.public)
