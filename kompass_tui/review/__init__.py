"""The review: a caseworker reads, remarks on, corrects and moves records on (``app.ReviewApp``,
the list, the record and their dialogs)."""
