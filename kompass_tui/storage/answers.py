"""The two shapes of a record's answers, and the one way between them.

Stored, answers are *flat*: one row per path (``full_name``, ``jobs[2].job_title``). The
engine, the import and the export read them *nested*: a repeat group is a list of entries
(``{"jobs": [{}, {}, {"job_title": …}]}``). :func:`nest_answers` and :func:`flat_answers`
turn one into the other; :func:`moved_paths` follows answers when entries of a repeat group
are removed and the later ones move up. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

from sporreskjema import Path

#: Answers copied onto the record (path → column) for listing, searching, the deadline and
#: the once-per-person rule.
PERSON_FIELDS: Final = {
    "full_name": "full_name",
    "birth_date": "birth_date",
    "person_id": "person_key",
    "permit_date": "permit_date",
}
_DATE_COLUMNS: Final = frozenset({"birth_date", "permit_date"})

#: Repeat-group paths recur in every record (``jobs[0].job_title``): parsed once each.
parse_path = lru_cache(maxsize=4096)(Path.parse)


def person_column(path: str, value: Any) -> tuple[str, Any] | None:
    """The record's column an answer at ``path`` is copied to, with the value as the column
    keeps it (a date for an ISO date); ``None`` for every answer that is not a person field."""
    column = PERSON_FIELDS.get(path)
    if column is None:
        return None
    if column in _DATE_COLUMNS and isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return column, value


@lru_cache(maxsize=4096)
def _in_group(path: str) -> tuple[str, int, str] | None:
    """``jobs[2].job_title`` → ``("jobs", 2, "job_title")``; ``None`` for a path that is no
    path of a repeat group (kept by its text: a row written past the program)."""
    try:
        parsed = parse_path(path)
    except ValueError:
        return None
    if parsed.group is None or parsed.index is None:
        return None
    return parsed.group, parsed.index, parsed.name


def nest_answers(
    flat: Mapping[str, Any] | Iterable[tuple[str, Any]],
    *,
    beside: Mapping[str, Mapping[str, Sequence[tuple[str, Any]]]] | None = None,
) -> dict[str, Any]:
    """``{"jobs[1].job_title": …}`` → ``{"jobs": [{}, {"job_title": …}]}``: each repeat group
    a list of its entries in index order (gaps closed). A path that does not parse is kept by
    its text, so a row written past the program is shown, not a crash.

    ``beside`` (question name → code → ``(name, value)`` pairs) writes the values derived
    from a coded answer right after it, under their names (the export's codes in other
    classifications: NUS2000, ISCED).
    One pass, with no call for most answers: an export nests every record.
    """
    pairs = flat.items() if isinstance(flat, Mapping) else flat
    derived = beside or {}
    answers: dict[str, Any] = {}
    groups: dict[str, dict[int, dict[str, Any]]] = {}
    for path, value in pairs:
        place, name = answers, path
        if "[" in path:  # most answers are not in a repeat group: no need to parse
            where = _in_group(path)
            if where is not None:
                group, index, name = where
                entries = groups.get(group)
                if entries is None:
                    entries = groups[group] = {}
                entry = entries.get(index)
                if entry is None:
                    entry = entries[index] = {}
                place = entry
        place[name] = value
        if name in derived and value.__class__ is str:
            extra = derived[name].get(value)
            if extra is not None:
                for extra_name, extra_value in extra:
                    place[extra_name] = extra_value
    for group, entries in groups.items():
        answers[group] = [entries[index] for index in sorted(entries)]
    return answers


def is_group(value: Any) -> bool:
    """A repeat group's entries (a list of dicts), not a list of codes."""
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def flat_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """``{"jobs": [{"job_title": …}]}`` → ``{"jobs[0].job_title": …}``, as stored."""
    flat: dict[str, Any] = {}
    for name, value in answers.items():
        if is_group(value):
            for index, entry in enumerate(value):
                for child, child_value in entry.items():
                    flat[str(Path(child, name, index))] = child_value
        else:
            flat[name] = value
    return flat


def moved_paths(paths: Iterable[str], group: str, origins: Sequence[int]) -> dict[str, str]:
    """Where the answers of ``group`` go when its entries are renumbered: entry ``i`` is the
    one that was at ``origins[i]``. New path → old path, for each of ``paths`` in the group
    whose entry is kept; paths of other groups and top-level paths are left out."""
    new_index = {origin: index for index, origin in enumerate(origins)}
    moved: dict[str, str] = {}
    for path in paths:
        where = _in_group(path) if path.startswith(group + "[") else None
        if where is None or where[0] != group or where[1] not in new_index:
            continue
        moved[str(Path(where[2], group, new_index[where[1]]))] = path
    return moved
