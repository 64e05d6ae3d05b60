"""The counts behind the municipality's figures, kept by the database as records change.

Table ``figure_tally`` holds one row per (family, day, status, code): how many records begun
on ``day`` (UTC) with ``status`` have ``code`` in ``family``:

- ``locale``, ``mode``, ``interpreter`` (``yes``, ``no``, ``unknown``): one of each per record;
- ``waited``: days from the permit to sending, for a sent record with a permit date;
- ``permit``, ``settled``: the permit and settlement dates (ISO), where the record has them;
- ``tongue``: each mother tongue of the answer ``mother_tongues`` (a list of codes);
- ``level``: each education's level (``educations[i].level``).

Triggers keep it (SQLite and PostgreSQL alike): a record inserted adds its facts, one updated
moves them (its answers' too, when its status or day changes), one deleted takes them away
(before the delete, while its answers are still there); an answer of the two paths inserted,
changed or deleted adds or takes its own. Each trigger writes its rows in one statement, in
key order, so that two writers never lock the same rows in opposite orders. Migration 0010
makes the triggers from here and counts what is already stored; a change of what is counted
needs a migration of its own that drops the triggers, makes them again and counts again
(``drop_statements``, ``create_statements``, ``backfill_statement`` after emptying the table).
"""

# The SQL here is made of this module's own constants only (names, paths, signs): nothing a
# person typed goes into it.
# ruff: noqa: S608

from __future__ import annotations

from typing import Final

TONGUES: Final = "mother_tongues"
LEVEL_PATTERN: Final = "educations[%].level"
_COUNTED: Final = (
    "status", "locale", "mode", "interpreter_used", "started_at", "permit_date", "submitted_at",
    "settlement_date",
)  # fmt: skip
#: A code as the tally keeps it: its first 80 characters (an answer may hold anything, and
#: a code longer than that is no code the figures name).
CODE_LENGTH: Final = 80
_CODE: Final = f"substr(code, 1, {CODE_LENGTH})"
_CODE_PG: Final = f"substr(f.code, 1, {CODE_LENGTH})"
_UPSERT_SQLITE: Final = " ON CONFLICT (family, day, status, code) DO UPDATE SET n = n + excluded.n"
_UPSERT_PG: Final = (
    " ON CONFLICT (family, day, status, code) DO UPDATE SET n = figure_tally.n + excluded.n"
)


# ---------------------------------------------------------------- SQLite


def _sqlite_record_facts(row: str, sign: int, source: str = "") -> str:
    """The record families of ``row`` (the trigger's NEW or OLD, or an alias that ``source``,
    a FROM clause, brings), counted ``sign``."""
    day, status = f"date({row}.started_at)", f"{row}.status"
    interpreter = (
        f"CASE WHEN {row}.interpreter_used IS NULL THEN 'unknown' "
        f"WHEN {row}.interpreter_used THEN 'yes' ELSE 'no' END"
    )
    waited = (
        f"CAST(CAST(julianday(date({row}.submitted_at)) - julianday({row}.permit_date) "
        f"AS INTEGER) AS TEXT)"
    )
    facts = [
        ("'locale'", f"{row}.locale", "1"),
        ("'mode'", f"{row}.mode", "1"),
        ("'interpreter'", interpreter, "1"),
        ("'waited'", waited, f"{row}.submitted_at IS NOT NULL AND {row}.permit_date IS NOT NULL"),
        ("'permit'", f"{row}.permit_date", f"{row}.permit_date IS NOT NULL"),
        ("'settled'", f"{row}.settlement_date", f"{row}.settlement_date IS NOT NULL"),
    ]
    return " UNION ALL ".join(
        f"SELECT {family}, {day}, {status}, {code}, {sign} {source} WHERE {where}"
        for family, code, where in facts
    )


def _sqlite_answer_facts(source: str, day: str, status: str, sign: int, where: str) -> str:
    """The answer families of the answers (alias ``a``) that ``source`` and ``where`` pick."""
    return (
        f"SELECT 'tongue', {day}, {status}, j.value, {sign} FROM {source}, "
        f"json_each(a.value) AS j WHERE {where} AND a.path = '{TONGUES}' "
        f"AND json_type(a.value) = 'array' AND j.type = 'text' "
        f"UNION ALL SELECT 'level', {day}, {status}, json_extract(a.value, '$'), {sign} "
        f"FROM {source} WHERE {where} AND a.path LIKE '{LEVEL_PATTERN}' "
        f"AND json_type(a.value) = 'text'"
    )


def _sqlite_write(facts: str) -> str:
    """Add ``facts`` (family, day, status, code, delta) to the tally, in key order."""
    return (
        "INSERT INTO figure_tally (family, day, status, code, n) "
        f"SELECT family, day, status, {_CODE}, SUM(d) FROM ("
        "SELECT NULL AS family, NULL AS day, NULL AS status, NULL AS code, 0 AS d WHERE 0 "
        f"UNION ALL {facts}) WHERE true GROUP BY family, day, status, {_CODE} "
        f"HAVING SUM(d) <> 0 ORDER BY family, day, status, {_CODE}" + _UPSERT_SQLITE + ";"
    )


def _sqlite_statements() -> list[str]:
    tracked = "{row}.path = '" + TONGUES + "' OR {row}.path LIKE '" + LEVEL_PATTERN + "'"
    moved = "(OLD.status IS NOT NEW.status OR OLD.started_at IS NOT NEW.started_at)"

    def answers_of(row: str, sign: int, extra: str = "1") -> str:
        """The answers of the record ``row``, on its day and status."""
        return _sqlite_answer_facts(
            "answer AS a", f"date({row}.started_at)", f"{row}.status", sign,
            f"a.record_id = {row}.id AND {extra}",
        )  # fmt: skip

    def one_answer(row: str, sign: int) -> str:
        """The answer ``row`` itself, on its record's day and status (none once it is gone)."""
        return (
            f"SELECT 'tongue', date(r.started_at), r.status, j.value, {sign} FROM record AS r, "
            f"json_each({row}.value) AS j WHERE r.id = {row}.record_id "
            f"AND {row}.path = '{TONGUES}' AND json_type({row}.value) = 'array' "
            f"AND j.type = 'text' UNION ALL SELECT 'level', date(r.started_at), r.status, "
            f"json_extract({row}.value, '$'), {sign} FROM record AS r "
            f"WHERE r.id = {row}.record_id AND {row}.path LIKE '{LEVEL_PATTERN}' "
            f"AND json_type({row}.value) = 'text'"
        )

    columns = ", ".join(_COUNTED)
    moves = [
        _sqlite_record_facts("OLD", -1),
        _sqlite_record_facts("NEW", 1),
        answers_of("OLD", -1, moved),
        answers_of("NEW", 1, moved),
    ]
    return [
        "CREATE TRIGGER figure_tally_record_insert AFTER INSERT ON record BEGIN "
        f"{_sqlite_write(_sqlite_record_facts('NEW', 1))} END",
        f"CREATE TRIGGER figure_tally_record_update AFTER UPDATE OF {columns} ON record "
        f"BEGIN {_sqlite_write(' UNION ALL '.join(moves))} END",
        "CREATE TRIGGER figure_tally_record_delete BEFORE DELETE ON record BEGIN "
        f"{_sqlite_write(_sqlite_record_facts('OLD', -1) + ' UNION ALL ' + answers_of('OLD', -1))}"
        " END",
        f"CREATE TRIGGER figure_tally_answer_insert AFTER INSERT ON answer "
        f"WHEN {tracked.format(row='NEW')} BEGIN {_sqlite_write(one_answer('NEW', 1))} END",
        f"CREATE TRIGGER figure_tally_answer_delete AFTER DELETE ON answer "
        f"WHEN {tracked.format(row='OLD')} BEGIN {_sqlite_write(one_answer('OLD', -1))} END",
        "CREATE TRIGGER figure_tally_answer_update AFTER UPDATE OF value, path, record_id "
        f"ON answer WHEN {tracked.format(row='OLD')} OR {tracked.format(row='NEW')} BEGIN "
        f"{_sqlite_write(one_answer('OLD', -1) + ' UNION ALL ' + one_answer('NEW', 1))} END",
    ]


_TRIGGERS: Final = (
    ("figure_tally_record_insert", "record"),
    ("figure_tally_record_update", "record"),
    ("figure_tally_record_delete", "record"),
    ("figure_tally_answer_insert", "answer"),
    ("figure_tally_answer_delete", "answer"),
    ("figure_tally_answer_update", "answer"),
)


# ---------------------------------------------------------------- PostgreSQL

_PG_FACTS: Final = """
CREATE FUNCTION figure_tally_facts(rec_id uuid, started timestamptz, st text, loc text,
    md text, interp boolean, permit date, submitted timestamptz, settled date,
    with_answers boolean, sign integer)
RETURNS TABLE (family text, day date, status text, code text, d integer)
LANGUAGE sql STABLE AS $$
    SELECT f.family, (started AT TIME ZONE 'UTC')::date, st, f.code, sign FROM (
        SELECT 'locale', loc
        UNION ALL SELECT 'mode', md
        UNION ALL SELECT 'interpreter',
            CASE WHEN interp IS NULL THEN 'unknown' WHEN interp THEN 'yes' ELSE 'no' END
        UNION ALL SELECT 'waited',
            ((submitted AT TIME ZONE 'UTC')::date - permit)::text
            WHERE submitted IS NOT NULL AND permit IS NOT NULL
        UNION ALL SELECT 'permit', permit::text WHERE permit IS NOT NULL
        UNION ALL SELECT 'settled', settled::text WHERE settled IS NOT NULL
    ) AS f (family, code)
    UNION ALL
    SELECT a.family, (started AT TIME ZONE 'UTC')::date, st, a.code, sign
    FROM figure_tally_answer_facts(rec_id) AS a WHERE with_answers
$$;
"""
_PG_ANSWER_FACTS: Final = f"""
CREATE FUNCTION figure_tally_answer_facts(rec_id uuid)
RETURNS TABLE (family text, code text)
LANGUAGE sql STABLE AS $$
    SELECT 'tongue', j.value FROM answer AS a, json_array_elements_text(a.value) AS j
    WHERE a.record_id = rec_id AND a.path = '{TONGUES}' AND json_typeof(a.value) = 'array'
    UNION ALL
    SELECT 'level', a.value #>> '{{}}' FROM answer AS a
    WHERE a.record_id = rec_id AND a.path LIKE '{LEVEL_PATTERN}'
        AND json_typeof(a.value) = 'string'
$$;
"""
_PG_ONE_ANSWER: Final = f"""
CREATE FUNCTION figure_tally_one_answer(rec_id uuid, answer_path text, answer_value json,
    sign integer)
RETURNS TABLE (family text, day date, status text, code text, d integer)
LANGUAGE sql STABLE AS $$
    SELECT 'tongue', (r.started_at AT TIME ZONE 'UTC')::date, r.status, j.value, sign
    FROM record AS r, json_array_elements_text(answer_value) AS j
    WHERE r.id = rec_id AND answer_path = '{TONGUES}' AND json_typeof(answer_value) = 'array'
    UNION ALL
    SELECT 'level', (r.started_at AT TIME ZONE 'UTC')::date, r.status, answer_value #>> '{{}}',
        sign
    FROM record AS r
    WHERE r.id = rec_id AND answer_path LIKE '{LEVEL_PATTERN}'
        AND json_typeof(answer_value) = 'string'
$$;
"""


def _pg_write(facts: str) -> str:
    return (
        "INSERT INTO figure_tally (family, day, status, code, n) "
        f"SELECT f.family, f.day, f.status, {_CODE_PG}, SUM(f.d) FROM ({facts}) AS f "
        f"GROUP BY f.family, f.day, f.status, {_CODE_PG} HAVING SUM(f.d) <> 0 "
        f"ORDER BY f.family, f.day, f.status, {_CODE_PG}" + _UPSERT_PG + ";"
    )


def _pg_record_call(row: str, with_answers: str, sign: int) -> str:
    return (
        f"SELECT * FROM figure_tally_facts({row}.id, {row}.started_at, {row}.status, "
        f"{row}.locale, {row}.mode, {row}.interpreter_used, {row}.permit_date, "
        f"{row}.submitted_at, {row}.settlement_date, {with_answers}, {sign})"
    )


def _pg_statements() -> list[str]:
    moved = (
        "(OLD.status IS DISTINCT FROM NEW.status OR OLD.started_at IS DISTINCT FROM NEW.started_at)"
    )
    record_function = f"""
CREATE FUNCTION figure_tally_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_write(_pg_record_call("NEW", "false", 1))}
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        {_pg_write(_pg_record_call("OLD", moved, -1) + " UNION ALL " + _pg_record_call("NEW", moved, 1))}
        RETURN NULL;
    END IF;
    {_pg_write(_pg_record_call("OLD", "true", -1))}
    RETURN OLD;
END $$;
"""
    one = "SELECT * FROM figure_tally_one_answer({row}.record_id, {row}.path, {row}.value, {sign})"
    answer_function = f"""
CREATE FUNCTION figure_tally_answer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_write(one.format(row="NEW", sign=1))}
    ELSIF TG_OP = 'UPDATE' THEN
        {_pg_write(one.format(row="OLD", sign=-1) + " UNION ALL " + one.format(row="NEW", sign=1))}
    ELSE
        {_pg_write(one.format(row="OLD", sign=-1))}
    END IF;
    RETURN NULL;
END $$;
"""
    columns = ", ".join(_COUNTED)
    tracked = "{row}.path = '" + TONGUES + "' OR {row}.path LIKE '" + LEVEL_PATTERN + "'"
    return [
        _PG_ANSWER_FACTS,
        _PG_FACTS,
        _PG_ONE_ANSWER,
        record_function,
        answer_function,
        "CREATE TRIGGER figure_tally_record_insert AFTER INSERT ON record "
        "FOR EACH ROW EXECUTE FUNCTION figure_tally_record()",
        f"CREATE TRIGGER figure_tally_record_update AFTER UPDATE OF {columns} ON record "
        "FOR EACH ROW EXECUTE FUNCTION figure_tally_record()",
        "CREATE TRIGGER figure_tally_record_delete BEFORE DELETE ON record "
        "FOR EACH ROW EXECUTE FUNCTION figure_tally_record()",
        "CREATE TRIGGER figure_tally_answer_insert AFTER INSERT ON answer FOR EACH ROW WHEN ("
        + tracked.format(row="NEW")
        + ") EXECUTE FUNCTION figure_tally_answer()",
        "CREATE TRIGGER figure_tally_answer_delete AFTER DELETE ON answer FOR EACH ROW WHEN ("
        + tracked.format(row="OLD")
        + ") EXECUTE FUNCTION figure_tally_answer()",
        "CREATE TRIGGER figure_tally_answer_update AFTER UPDATE OF value, path, record_id "
        "ON answer FOR EACH ROW WHEN ("
        + tracked.format(row="OLD")
        + " OR "
        + tracked.format(row="NEW")
        + ") EXECUTE FUNCTION figure_tally_answer()",
    ]


# ---------------------------------------------------------------- both


def create_statements(backend: str) -> list[str]:
    """The triggers (and on PostgreSQL their functions) that keep ``figure_tally``."""
    return _pg_statements() if backend == "postgresql" else _sqlite_statements()


def drop_statements(backend: str) -> list[str]:
    drops = [
        f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if backend == "postgresql" else "")
        for name, table in _TRIGGERS
    ]
    if backend == "postgresql":
        drops += [
            f"DROP FUNCTION IF EXISTS {name}"
            for name in (
                "figure_tally_record()", "figure_tally_answer()",
                "figure_tally_one_answer(uuid, text, json, integer)",
                "figure_tally_facts(uuid, timestamptz, text, text, text, boolean, date, "
                "timestamptz, date, boolean, integer)",
                "figure_tally_answer_facts(uuid)",
            )
        ]  # fmt: skip
    return drops


def backfill_statement(backend: str) -> str:
    """Count what is stored already (the migration's one pass over every record)."""
    if backend == "postgresql":
        return _pg_write(
            "SELECT t.* FROM record AS r, LATERAL figure_tally_facts(r.id, r.started_at, "
            "r.status, r.locale, r.mode, r.interpreter_used, r.permit_date, r.submitted_at, "
            "r.settlement_date, true, 1) AS t"
        )
    return _sqlite_write(
        _sqlite_record_facts("r", 1, "FROM record AS r")
        + " UNION ALL "
        + _sqlite_answer_facts(
            "record AS r, answer AS a", "date(r.started_at)", "r.status", 1, "a.record_id = r.id"
        )
    )
