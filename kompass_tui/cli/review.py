"""``kompass review``: the review in the terminal, after a caseworker login."""

from __future__ import annotations

import typer

from kompass_tui.cli.common import DbOption, open_db


def review(db: DbOption = None) -> None:
    from kompass_tui.review.app import ReviewApp

    database = open_db(db)
    try:
        app = ReviewApp(database)
        app.run()
    finally:
        database.dispose()
    if app.return_code:
        raise typer.Exit(app.return_code)
