"""A separate program that uses the database, for the crash and concurrency tests.

    python tests/support/storage_worker.py save URL COUNT      # a kiosk saving answers
    python tests/support/storage_worker.py review URL COUNT    # a caseworker reading and logging in

``save`` prints ``record ID`` and then ``saved N`` after each save has returned.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import select

from kompass_tui.storage import accounts, records
from kompass_tui.storage.database import open_database
from kompass_tui.storage.models import Mode, Record
from sporreskjema import load_builtin


def save(url: str, count: int) -> None:
    db = open_database(url)
    new = records.create_record(db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="nb")
    print(f"record {new.id}", flush=True)
    for index in range(count):
        records.save_answer(
            db,
            record_id=new.id,
            path=f"jobs[{index}].tasks",
            value=f"task {index} " + "x" * 200,
            provenance="self",
        )
        print(f"saved {index}", flush=True)


def review(url: str, count: int) -> None:
    db = open_database(url)
    password = "review password 1"
    accounts.add_user(db, username="reviewer", full_name="Reviewer", password=password)
    for _ in range(count):
        accounts.authenticate(db, username="reviewer", password=password)
        with db.session() as session:
            for record in session.exec(select(Record)).all():
                records.load_answers(db, record.id)
    print("done", flush=True)


if __name__ == "__main__":
    mode, url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"save": save, "review": review}[mode](url, count)
