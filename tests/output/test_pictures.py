"""The pictures of the table view: --html as a semantic, self-contained, escaped page (seen in
Chromium where it is installed), --svg without fonts from the network, and the paths they are
saved to."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.index import location
from tests.conftest import Invoke, answered_from_the_index
from tests.output.conftest import huge_base, page_of


def test_html_is_a_semantic_self_contained_page(invoke: Invoke, tmp_path: Path) -> None:
    """--html writes a table with headers, a row per record, the source in a footer, no URLs."""
    path = tmp_path / "timeline.html"
    result = invoke("timeline", "--json", "--html", str(path))
    assert result.exit_code == 0
    events = json.loads(result.stdout)
    content, page = page_of(path)
    assert content.startswith("<!DOCTYPE html>")
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert any(name == "meta" and attrs.get("name") == "viewport" for name, attrs in page.tags)
    assert page.count("table") == 1
    assert page.count("th") == 4
    assert page.count("tr") == len(events) + 1
    assert "<pre" not in content
    assert "<footer><p>Le Monde, [Azerbaijan" in content
    assert "@media print" in content and "@media (max-width" in content
    assert not re.search(r"src=|href=(?!\"#)|url\(|@import", content)  # links within the page only
    for event in events:
        assert event["id"] in content


def test_html_of_one_record_is_a_field_value_table(invoke: Invoke, tmp_path: Path) -> None:
    """kb show --html gives a row per field, the field as a row header, the quote marked."""
    path = tmp_path / "show.html"
    assert invoke("show", "q-putin-mediation", "--html", str(path)).exit_code == 0
    content, _ = page_of(path)
    assert '<th scope="row">Excerpt</th>' in content
    assert "<mark>These talks will take place" in content


def test_html_escapes_hostile_text(invoke: Invoke, base: dict[str, Any], tmp_path: Path) -> None:
    """Markup in a quote is shown as text, and control characters as symbols."""
    quote = next(q for q in base["quotes"] if q["id"] == "q-putin-mediation")
    quote["text"] = '<script>alert("x")</script> \x1b[31m & end'
    quote["excerpt"] = f"before {quote['text']} after"
    facts = tmp_path / "hostile.json"
    facts.write_text(json.dumps(base), encoding="utf-8")
    path = tmp_path / "page.html"
    assert invoke("--facts", str(facts), "quote", "Putin", "--html", str(path)).exit_code == 0
    content = path.read_text(encoding="utf-8")
    assert "<script>" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ␛[31m &amp; end" in content


@pytest.mark.parametrize("args", [["timeline"], ["quote", "Putin"], ["terms"], ["search", "talks"]])
def test_html_numbers_each_marked_record_s_note_on_the_page(
    invoke: Invoke, tmp_path: Path, args: list[str]
) -> None:
    """Every record marked † has its note, escaped, as a numbered footnote its sign points at."""
    path = tmp_path / "page.html"
    result = invoke(*args, "--json", "--html", str(path))
    assert result.exit_code == 0
    notes = [row["note"] for row in json.loads(result.stdout) if row.get("note")]
    content, _ = page_of(path)
    footnotes = re.findall(r'<li id="note-\d+">(.*?) <a href="#ref-', content)
    assert [text for text in footnotes if not text.startswith("contradicted by")] == [
        html.escape(note) for note in notes
    ]
    signs = re.findall(r'<span class="sign">†</span><sup><a href="#note-(\d+)"', content)
    assert signs == [str(number) for number in range(1, len(notes) + 1)]


def test_html_footnotes_name_the_quotes_contradicting_a_record(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """A ≠-marked record's footnote names each contradicting quote: speaker, escaped text, id."""
    quote = next(q for q in base["quotes"] if q["id"] == "q-amirbayov-russians-not-participate")
    quote["text"] = quote["excerpt"] = 'Not <b>us</b> & "them"'
    facts = tmp_path / "disputed.json"
    facts.write_text(json.dumps(base), encoding="utf-8")
    path = tmp_path / "page.html"
    result = invoke("--facts", str(facts), "quote", "Putin", "--json", "--html", str(path))
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["contradicts"] == [quote["id"]]
    content, _ = page_of(path)
    footnotes = re.findall(r'<li id="note-\d+">(.*?) <a href="#ref-', content)
    assert footnotes[-1] == html.escape(
        f"contradicted by Elchin Amirbayov: “{quote['text']}” ({quote['id']})"
    )
    assert f'≠</span><sup><a href="#note-{len(footnotes)}"' in content
    assert "kb disputes" not in content
    assert "kb show ID" not in content


def test_html_escapes_a_hostile_note(invoke: Invoke, base: dict[str, Any], tmp_path: Path) -> None:
    """A note holding markup reaches the page as text."""
    quote = next(q for q in base["quotes"] if q["id"] == "q-putin-mediation")
    quote["note"] = '<img src=x onerror="alert(1)"> & \x1b[31m'
    facts = tmp_path / "hostile.json"
    facts.write_text(json.dumps(base), encoding="utf-8")
    path = tmp_path / "page.html"
    assert invoke("--facts", str(facts), "quote", "Putin", "--html", str(path)).exit_code == 0
    content = path.read_text(encoding="utf-8")
    assert "<img" not in content
    assert (
        '<li id="note-1">&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; ␛[31m <a' in content
    )


def test_html_phone_layout_leaves_empty_fields_out(invoke: Invoke, tmp_path: Path) -> None:
    """A cell with no value is marked empty, and the narrow-screen style hides it."""
    path = tmp_path / "page.html"
    result = invoke("timeline", "--json", "--html", str(path))
    assert result.exit_code == 0
    without_place = sum(1 for row in json.loads(result.stdout) if not row["where"])
    content, _ = page_of(path)
    assert without_place > 0
    assert (
        len(re.findall(r'<td class="[^"]*\bempty\b[^"]*" data-label="Where"><p></p></td>', content))
        == without_place
    )
    phone = content.split("@media (max-width")[1].split("@media print")[0]
    assert re.search(r"td\.empty \{ display: none; \}", phone)


def test_svg_loads_no_fonts_from_the_network(invoke: Invoke, tmp_path: Path) -> None:
    """The SVG picture names a local monospace font and fetches nothing."""
    path = tmp_path / "quote.svg"
    assert invoke("quote", "Putin", "--svg", str(path)).exit_code == 0
    content = path.read_text(encoding="utf-8")
    assert "<svg" in content and "mediation" in content
    assert "@font-face" not in content
    assert not re.search(r"url\([\"']?http|https://cdn", content)


@pytest.mark.parametrize("picture", ["--svg", "--html"])
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_pictures_follow_the_umask(
    invoke: Invoke, tmp_path: Path, picture: str, umask: int, mode: int
) -> None:
    """A picture gets the mode any new file gets under the user's umask."""
    path = tmp_path / "picture"
    previous = os.umask(umask)
    try:
        assert invoke("terms", picture, str(path)).exit_code == 0
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == mode


@pytest.mark.parametrize("picture", ["--svg", "--html"])
def test_no_picture_when_nothing_is_found(invoke: Invoke, tmp_path: Path, picture: str) -> None:
    """kb quote Nobody exits 1 and writes no file."""
    path = tmp_path / "nobody"
    result = invoke("quote", "Nobody", picture, str(path))
    assert result.exit_code == 1
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("picture", ["--svg", "--html"])
def test_a_bad_picture_path_is_refused_before_any_output(
    invoke: Invoke, tmp_path: Path, picture: str
) -> None:
    """A missing folder is a usage error naming the path given, and nothing is printed."""
    given = str(tmp_path / "no" / "such.file")
    result = invoke("quote", "putn", "-f", "plain", picture, given)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, "not even the fuzzy-match warning comes first"
    assert f"cannot save {given}: no folder" in result.stderr
    assert picture in result.stderr
    assert ".tmp" not in result.stderr


def test_a_folder_as_picture_path_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    """A folder given as the file is refused before any output."""
    result = invoke("timeline", "-f", "plain", "--html", str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(tmp_path) in result.stderr


def test_a_folder_without_write_permission_is_a_usage_error(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system denies writing (as it would for a user other than root), kb says so first."""
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    result = invoke("timeline", "-f", "plain", "--html", str(tmp_path / "t.html"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"cannot save {tmp_path / 't.html'}: permission denied" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_an_unwritable_folder_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    """A folder the user cannot write to is refused before any output."""
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    result = invoke("timeline", "-f", "plain", "--svg", str(folder / "t.svg"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "permission denied" in result.stderr


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    return found


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with every route to the network closed."""
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_chromium_shows_the_page_as_a_table(invoke: Invoke, tmp_path: Path) -> None:
    """Chromium, cut off from the network, lays the page out with its table and footer."""
    path = tmp_path / "quotes.html"
    assert invoke("quote", "amirbayov", "--html", str(path)).exit_code == 0
    result = run_chromium(tmp_path, "--dump-dom", path.as_uri())
    assert result.returncode == 0, result.stderr
    assert "<table" in result.stdout
    assert result.stdout.count("<tr>") == 5
    assert "q-amirbayov-russians-not-participate" in result.stdout
    shot = tmp_path / "phone.png"
    result = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=400,900", path.as_uri())
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 1000


def test_html_footnotes_name_contradicting_quotes_of_an_indexed_base(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """A base over 1 MiB, read through its index, still names the contradicting quote."""
    path = huge_base(base, tmp_path, 2_000_000)
    assert path.stat().st_size > location.FROM_BYTES
    page = tmp_path / "page.html"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    with answered_from_the_index():
        result = invoke("--facts", str(path), "quote", "Putin", "--html", str(page), env=env)
    assert result.exit_code == 0
    content, _ = page_of(page)
    assert "contradicted by Elchin Amirbayov: “Their protection will" in content
    assert '(q-amirbayov-russians-not-participate) <a href="#ref-' in content
