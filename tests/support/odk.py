"""Submissions as ODK Collect sends them, for the tests of ``kompass import --from-odk``: the
XForm ODK Central makes of the form ``kompass questionnaire xlsform`` writes (pyxform, as
Central runs it), and its primary instance filled in with a registration's answers."""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
import uuid
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from kompass_tui.exchange import xlsform
from sporreskjema import load_builtin

JR_TEMPLATE = "{http://openrosa.org/javarosa}template"
XFORMS = "{http://www.w3.org/2002/xforms}"
GROUPS = {q.name for q in load_builtin().all_questions() if q.kind.container}


@cache
def xform() -> str:
    """The XForm ODK Central makes of the form (pyxform, as Central runs it)."""
    from pyxform.xls2xform import convert

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kompass.xlsx"
        xlsform.build(load_builtin()).save(path)
        return str(convert(xlsform=str(path)).xform)


def odk_text(value: Any) -> str:
    """A stored answer as ODK keeps it in the instance."""
    if value is True:
        return "OK"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _fill(element: ElementTree.Element, values: dict[str, Any]) -> None:
    """Answers into the form's instance, each repeat's entries made from its template."""
    templates: dict[str, tuple[int, ElementTree.Element]] = {}
    for index, child in enumerate(list(element)):
        name = _local(child.tag)
        if child.get(JR_TEMPLATE) is not None:
            templates[name] = (index, child)
            element.remove(child)
        elif name in GROUPS:
            element.remove(child)  # the empty first entry the form starts with
        elif len(child):
            _fill(child, values)
        elif name in values:
            child.text = odk_text(values[name])
    for name, (index, template) in templates.items():
        for number, entry in enumerate(values.get(name) or []):
            made = copy.deepcopy(template)
            del made.attrib[JR_TEMPLATE]
            for leaf in made:
                if _local(leaf.tag) in entry:
                    leaf.text = odk_text(entry[_local(leaf.tag)])
            element.insert(min(index + number, len(element)), made)


METADATA = {
    "instanceID": None, "started_at": "2026-11-26T10:02:00.000+01:00",
    "ended_at": "2026-11-26T10:41:00.000+01:00", "device_id": "collect:7fQxT2",
    "submitter": "mottak.nord",
}  # fmt: skip


def submission(answers: dict[str, Any], instance_id: uuid.UUID) -> bytes:
    """The instance a device sends: the form's primary instance, filled in."""
    document = ElementTree.fromstring(xform())
    primary = next(iter(document.iter(f"{XFORMS}instance")))
    data = copy.deepcopy(next(iter(primary)))
    _fill(data, answers)
    for leaf in data.iter():
        name = _local(leaf.tag)
        if name in METADATA:
            leaf.text = METADATA[name] or f"uuid:{instance_id}"
    return ElementTree.tostring(data, encoding="utf-8")


def round_trip(tmp_path: Path, answers: dict[str, Any], locale: str) -> dict[str, Any]:
    """``answers`` (in the export format, or as stored) sent as a device sends them, imported
    with ``kompass import --from-odk`` into a database of their own, and exported again."""
    import json

    from kompass_tui.exchange.export import Format, export
    from kompass_tui.exchange.odk import import_odk
    from kompass_tui.exchange.records import Selection
    from kompass_tui.storage.database import open_database
    from tests.support.exchange import caseworker

    folder = tmp_path / f"odk-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    file = folder / "submission.xml"
    file.write_bytes(submission(answers, uuid.uuid4()))
    db = open_database(f"sqlite:///{folder / 'kompass.sqlite3'}")
    try:
        worker = caseworker(db)
        import_odk(db, file, actor_id=worker, locale=locale)
        out = folder / "records.json"
        export(db, fmt=Format.json, out=out, selection=Selection(), actor_id=worker, mark=False)
        (record,) = json.loads(out.read_text("utf-8"))
        return dict(record)
    finally:
        db.dispose()
