"""What a shared page and picture carry besides the table: a heading, dates a program can read,
live links for web addresses only, no local path, and an SVG that names itself."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FACTS, Invoke
from tests.output.conftest import page_of


def test_the_page_has_one_heading_its_title(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "timeline.html"
    assert invoke("timeline", "--html", str(path)).exit_code == 0
    content, page = page_of(path)
    assert page.count("h1") == 1
    assert re.search(r"<h1>Timeline[^<]*</h1>", content)


def test_dates_are_time_elements_an_uncertain_one_keeping_its_mark(
    invoke: Invoke, base: dict[str, Any], write_base: Any, tmp_path: Path
) -> None:
    base["events"][0]["date"] = "2023-09-20?"
    facts = write_base(base)
    path = tmp_path / "timeline.html"
    assert invoke("--facts", str(facts), "timeline", "--html", str(path)).exit_code == 0
    content, _ = page_of(path)
    assert '<time datetime="2023-09-20">2023-09-20?</time>' in content
    assert '<time datetime="2023-09">2023-09</time>' in content
    assert content.count("<time datetime=") == len(base["events"])


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://www.lemonde.fr/international/article/2023/09/21/a.html", True),
        ("http://example.org/report?id=1&lang=en", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_web_addresses_become_links(
    invoke: Invoke, base: dict[str, Any], write_base: Any, tmp_path: Path, url: str, linked: bool
) -> None:
    base["sources"][0]["url"] = url
    facts = write_base(base)
    path = tmp_path / "source.html"
    source_id = base["sources"][0]["id"]
    assert invoke("--facts", str(facts), "show", source_id, "--html", str(path)).exit_code == 0
    _, page = page_of(path)
    hrefs = [attrs["href"] for name, attrs in page.tags if name == "a" and "href" in attrs]
    external = [href for href in hrefs if not href.startswith("#")]
    assert external == ([url] if linked else [])
    assert "javascript:" not in "".join(hrefs)


def test_a_shared_page_and_picture_name_the_base_file_not_its_folder(
    invoke: Invoke, tmp_path: Path
) -> None:
    page, picture = tmp_path / "sources.html", tmp_path / "sources.svg"
    result = invoke("sources", "--html", str(page), "--svg", str(picture), "--format", "plain")
    assert result.exit_code == 0
    folder = str(FACTS.parent)
    for path in (page, picture):
        text = path.read_text(encoding="utf-8")
        assert folder not in text
        assert "Sources in facts.json" in text


def test_the_svg_is_an_image_named_by_its_title(invoke: Invoke, tmp_path: Path) -> None:
    picture = tmp_path / "quotes.svg"
    assert invoke("quote", "putin", "--svg", str(picture)).exit_code == 0
    root = ET.fromstring(picture.read_text(encoding="utf-8"))
    assert root.get("role") == "img"
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == "Quotes of Vladimir Putin"
    assert root.get("aria-labelledby") == title.get("id")


def test_the_built_in_base_has_no_url_so_its_pages_link_nowhere(
    invoke: Invoke, tmp_path: Path
) -> None:
    assert all(source["url"] is None for source in json.loads(FACTS.read_text("utf-8"))["sources"])
    path = tmp_path / "show.html"
    assert invoke("show", "src-lemonde-2023-09-21", "--html", str(path)).exit_code == 0
    assert 'href="http' not in path.read_text(encoding="utf-8")
