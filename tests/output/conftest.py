"""What the output tests share: a base with a huge quote, and the parts of a web page."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any


def huge_base(base: dict[str, Any], tmp_path: Path, size: int) -> Path:
    """A fact base whose Putin quote is ``size`` characters of words with controls in them."""
    chunk = "peacekeeping \x1b[31m force "
    text = (chunk * (size // len(chunk) + 1))[:size]
    quote = next(q for q in base["quotes"] if q["id"] == "q-putin-mediation")
    quote["text"] = text
    quote["excerpt"] = f"before {text} after"
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(base), encoding="utf-8")
    return path


class Page(HTMLParser):
    """The parts of a web page the tests look at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)


def page_of(path: Path) -> tuple[str, Page]:
    content = path.read_text(encoding="utf-8")
    parsed = Page()
    parsed.feed(content)
    return content, parsed
