"""``kompass sync`` at a kiosk and ``kompass inbox`` at the municipality: sealed records
delivered through the municipality's PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from kompass_tui.cli import keys
from kompass_tui.cli.common import DbOption, UserOption, database, session
from kompass_tui.cli.output import fail, safe
from kompass_tui.i18n import _, current

#: The environment variable a kiosk's scheduled sync may use instead of ``--to``.
SYNC_TO_ENV_VAR = "KOMPASS_SYNC_TO"


def sync(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            envvar=SYNC_TO_ENV_VAR,
            show_envvar=True,
            help=_(
                "The municipality's PostgreSQL, as postgresql://ROLE@HOST/NAME with the role made by kompass db kiosk-role (its password in the URL or in ~/.pgpass)."
            ),
            show_default=False,
        ),
    ],
    batch: Annotated[
        int,
        typer.Option("--batch", min=1, max=5000, help=_("Records sent per transaction.")),
    ] = 1000,
    db: DbOption = None,
) -> None:
    """Deliver this kiosk's sealed records; each is deleted here once the server has it."""
    from kompass_tui.exchange.sealing import seal_sent
    from kompass_tui.exchange.sync import sync as deliver
    from kompass_tui.kiosk import settings
    from kompass_tui.storage.delivery import waiting
    from kompass_tui.storage.inbox import check_reachable, check_server_url
    from kompass_tui.wizard.registration import kiosk_name

    try:
        kiosk_settings = settings.load()
        sealing = kiosk_settings.sealing_keys() if kiosk_settings.recipients else []
    except settings.SettingsError as exc:
        fail(exc.message.render(current()))
    with database(db) as opened:
        check_server_url(to)
        if sealing:  # a record sent just before the kiosk stopped
            seal_sent(opened, sealing, kiosk=kiosk_name())
        total = waiting(opened)
        check_reachable(to)
        if not total:
            typer.echo(_("Nothing to deliver: every sealed record here has been delivered."))
            return
        sent = 0

        def progress(done: int) -> None:
            nonlocal sent
            sent += done
            typer.echo(_("Delivered %(done)d of %(total)d.") % {"done": sent, "total": total})

        result = deliver(opened, to, batch=batch, progress=progress)
    for record_id in result.refused:
        typer.echo(
            _("The server already holds record %(id)s with other content; it stays on this kiosk.")
            % {"id": record_id},
            err=True,
        )
    typer.echo(_("Records delivered: %(n)d.") % {"n": result.delivered})
    if result.refused:
        raise typer.Exit(1)


def inbox(
    identity: keys.IdentityOption = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """List the envelopes kiosks delivered; with --identity, open them into the review."""
    from kompass_tui.exchange.inbox import open_waiting
    from kompass_tui.record_view import when
    from kompass_tui.storage import inbox as stored

    if identity is None:
        with session(db, user) as (opened, _worker):
            found = stored.waiting(opened)
        tr = current()
        for item in found:
            typer.echo(
                "  ".join(
                    (
                        str(item.record_id),
                        safe(item.kiosk or "—"),
                        when(item.delivered_at, tr),
                    )
                )
            )
        typer.echo(
            _("Envelopes waiting: %(n)d. Open them with: kompass inbox --identity FILE")
            % {"n": len(found)}
        )
        return
    opening = keys.identities(identity)
    with session(db, user) as (opened, worker):
        assert worker.id is not None
        result = open_waiting(opened, opening, actor_id=worker.id)
    for record_id, message in result.problems:
        typer.echo(
            _("Not opened: %(id)s: %(reason)s")
            % {"id": record_id, "reason": safe(message.render(current()))},
            err=True,
        )
    typer.echo(
        _("Envelopes opened: %(new)d new records, %(existing)d already here, %(left)d left.")
        % {"new": result.new, "existing": result.existing, "left": len(result.problems)}
    )
    if result.problems:
        raise typer.Exit(1)
