"""``kompass deadlines``: the municipality's two deadlines, shown or set.

Anyone logged in may see them; setting them needs an administrator, and is audited with the
old and the new (``settings_changed``). They are kept in the municipality's database, so the
review, the list and ``kompass stats`` on every machine reckon alike.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kompass_tui.cli.common import DbOption, UserOption, session
from kompass_tui.cli.output import fail
from kompass_tui.i18n import _


def deadlines(
    survey_days: Annotated[
        int | None,
        typer.Option(
            "--survey-days",
            help=_("Days from the residence permit to the survey's deadline (the law: 14)."),
            show_default=False,
        ),
    ] = None,
    guidance_months: Annotated[
        int | None,
        typer.Option(
            "--guidance-months",
            help=_("Months from settlement to the career guidance's deadline (the law: 3)."),
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.storage import deadlines as municipal

    with session(db, user) as (database, worker):
        now = municipal.load(database)
        if survey_days is not None or guidance_months is not None:
            if not worker.is_admin:
                fail(
                    _(
                        "%(user)s is not an administrator: only an administrator can set the deadlines."
                    )
                    % {"user": worker.username}
                )
            assert worker.id is not None
            now = municipal.Deadlines(
                survey_days=now.survey_days if survey_days is None else survey_days,
                guidance_months=now.guidance_months if guidance_months is None else guidance_months,
            )
            municipal.save(database, now, actor_id=worker.id)
    typer.echo(
        _("The survey is due %(days)d days after the residence permit.") % {"days": now.survey_days}
    )
    typer.echo(
        _("The career guidance is due %(months)d months after settlement.")
        % {"months": now.guidance_months}
    )
