"""An HTML page as a tree of elements (the standard library's parser), so that a test reads
what a page shows where it shows it, not a substring that happens to be somewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLANKS = re.compile(r"[ \t\r\f]+")
#: Elements that have no end tag.
_VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "col", "wbr"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    @property
    def text(self) -> str:
        """The element's text, with line breaks where ``<br>`` stands, spaces squeezed."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "br":
                parts.append("\n")
            else:
                parts.append(child.text)
        lines = "".join(parts).split("\n")
        # As a browser collapses white space: ASCII blanks only (a no-break space stays).
        return "\n".join(_BLANKS.sub(" ", line).strip(" ") for line in lines).strip("\n")

    def iter(self, tag: str | None = None, **attrs: str) -> Iterator[Element]:
        """Every element below this one (not this one) with the tag and attributes given;
        ``class_`` matches one of the element's classes."""
        for child in self.children:
            if isinstance(child, str):
                continue
            if (tag is None or child.tag == tag) and all(
                value in child.attrs.get("class", "").split()
                if name == "class_"
                else child.attrs.get(name.replace("_", "-")) == value
                for name, value in attrs.items()
            ):
                yield child
            yield from child.iter(tag, **attrs)

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = list(self.iter(tag, **attrs))
        assert len(found) == 1, (tag, attrs, [f.text[:60] for f in found])
        return found[0]

    def ancestor(self, tag: str) -> Element | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.open)
        self.open.children.append(element)
        if tag not in _VOID:
            self.open = element

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.open
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None, f"</{tag}> closes nothing"
        assert node.parent is not None
        self.open = node.parent

    def handle_data(self, data: str) -> None:
        self.open.children.append(data)


def parse(page: str) -> Element:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder.open is builder.root, f"<{builder.open.tag}> is never closed"
    return builder.root
