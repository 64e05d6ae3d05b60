"""``kompass review``: the review in the terminal, after a caseworker login."""

from __future__ import annotations

import typer

from kompass_tui.cli.common import DbOption, database


def review(db: DbOption = None) -> None:
    from kompass_tui.review.app import ReviewApp

    with database(db) as opened:
        app = ReviewApp(opened)
        app.run()
    if app.return_code:
        raise typer.Exit(app.return_code)
