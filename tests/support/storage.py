"""Saving a whole form the way the kiosk does, for tests that need stored records."""

from __future__ import annotations

import uuid

from kompass_tui.storage import records
from kompass_tui.storage.database import Database
from sporreskjema import Form


def save_form(
    db: Database,
    record_id: uuid.UUID,
    form: Form,
    provenance: str = "self",
    place: str | None = "kiosk",
) -> None:
    """Save every answer of a form the way the kiosk does: one call per confirmed answer,
    each given at a kiosk unless ``place`` says otherwise."""
    for name, value in form.relevant_answers().items():
        if isinstance(value, list) and form.questionnaire.question(name).type == "repeat":
            records.save_entries(
                db,
                record_id=record_id,
                group=name,
                entries=value,
                provenance=provenance,
                place=place,
            )
        else:
            records.save_answer(
                db, record_id=record_id, path=name, value=value, provenance=provenance, place=place
            )
