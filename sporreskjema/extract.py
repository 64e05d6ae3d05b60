"""Babel extractor for questionnaire definitions (``pybabel extract`` uses it).

Every title, label, help text, constraint message and choice label of a
definition file is a message id. Each comes with a translator comment naming
where it is used, so translators see ``question jobs.job_title: label``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

_TEXT_FIELDS = ("title", "label", "help", "constraint_message")


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        name = node.get("name") or node.get("code")
        here = f"{where}.{name}" if name and where else (name or where)
        for key in _TEXT_FIELDS:
            value = node.get(key)
            if isinstance(value, str) and value.strip():
                yield value.strip(), f"{here}: {key}"
        for key, child in node.items():
            if key in _TEXT_FIELDS:
                continue
            if isinstance(child, list):
                for item in child:
                    inner = (
                        here if key in ("sections", "questions") else f"{here}.{key}".lstrip(".")
                    )
                    yield from _strings(item, inner)
            elif isinstance(child, dict):
                yield from _strings(child, f"{here}.{key}".lstrip("."))


def extract_definition(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str, list[str]]]:
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    data = tomllib.loads(text)
    for message, where in _strings(data, ""):
        lineno = next((i + 1 for i, line in enumerate(lines) if f'"{message}"' in line), 1)
        yield lineno, "_", message, [f"Translators: {where}"]
