"""Archived source texts: validate checks them, show quotes from them, lookups never need them.

Each test builds a small fact base and source text of its own in tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli.base import archive
from karabakh_cli.text import find_verbatim, normalise_quoting
from tests.conftest import ARCHIVES, FACTS, Invoke

TEXT = (
    "The talks began at noon. “We will not give up,” the envoy said. Nobody answered.\n\n"
    "A new paragraph starts here.\n"
)
EXCERPT = "“We will not give up,” the envoy said."
ARCHIVE_PATH = "sources/src-note.txt"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def small_base(excerpt: str = EXCERPT, archive_entry: object = None) -> dict[str, Any]:
    """One source, one person, one quote, its excerpt taken from TEXT."""
    if archive_entry is None:
        archive_entry = {"path": ARCHIVE_PATH, "sha256": sha256(TEXT.encode())}
    return {
        "schema_version": 1,
        "sources": [
            {
                "id": "src-note",
                "title": "A note",
                "publisher": "Test",
                "date": "2024-01-02",
                "language": "en",
                "url": None,
                "archive": archive_entry,
            }
        ],
        "people": [
            {
                "id": "envoy",
                "name": "The Envoy",
                "kind": "person",
                "role": None,
                "source": "src-note",
                "excerpt": EXCERPT,
            }
        ],
        "quotes": [
            {
                "id": "q-envoy",
                "speaker": "envoy",
                "text": "We will not give up",
                "date": "2024-01-02",
                "place": None,
                "medium": "remarks",
                "source": "src-note",
                "excerpt": excerpt,
            }
        ],
        "terms": [],
        "events": [],
    }


WriteSmall = Callable[..., Path]


@pytest.fixture
def write_small(tmp_path: Path) -> WriteSmall:
    """Write a small base to tmp_path/base/facts.json and, unless told not to, TEXT as its archive."""

    def write(base: dict[str, Any], text: bytes | None = TEXT.encode()) -> Path:
        folder = tmp_path / "base"
        (folder / "sources").mkdir(parents=True, exist_ok=True)
        if text is not None:
            (folder / ARCHIVE_PATH).write_bytes(text)
        path = folder / "facts.json"
        path.write_text(json.dumps(base, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    return write


def test_a_base_whose_excerpts_stand_in_its_archive_is_clean(
    invoke: Invoke, write_small: WriteSmall
) -> None:
    """validate reads the archive, finds every excerpt and reports nothing."""
    path = write_small(small_base())
    result = invoke("validate", str(path))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert "no problems" in result.stderr


def test_an_excerpt_missing_from_its_source_is_found(
    invoke: Invoke, write_small: WriteSmall
) -> None:
    """An excerpt edited away from the archived text is an error on that excerpt, naming the source."""
    path = write_small(small_base(excerpt="“We will not give up,” the envoy shouted."))
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"{re.escape(str(path))}:\d+:\d+: q-envoy\.excerpt: excerpt does not occur verbatim in "
        r"the archived text of 'src-note' \(sources/src-note\.txt\)\n",
        result.stdout,
    )


def test_a_changed_word_inside_a_quoted_excerpt_fails_naming_the_source(
    invoke: Invoke, write_small: WriteSmall
) -> None:
    """One word changed in the archive: its SHA-256 no longer matches, and each excerpt it breaks is named."""
    path = write_small(small_base(), TEXT.replace("give up", "give in").encode())
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: src-note\.archive: ", lines[0])
    assert "sources/src-note.txt has changed since it was archived" in lines[0]
    assert [line.split(": ", 2)[1] for line in lines[1:]] == ["envoy.excerpt", "q-envoy.excerpt"]
    assert all("archived text of 'src-note'" in line for line in lines[1:])


def test_a_changed_word_in_the_builtin_archive_fails_naming_the_source(
    invoke: Invoke, tmp_path: Path
) -> None:
    """The built-in base, copied with its archive and one quoted word changed, fails validation."""
    shutil.copy(FACTS, tmp_path / "facts.json")
    shutil.copytree(ARCHIVES, tmp_path / "sources")
    (archived,) = (tmp_path / "sources").iterdir()
    text = archived.read_text(encoding="utf-8")
    assert "no celebration" in text
    archived.write_text(text.replace("no celebration", "no festivity"), encoding="utf-8")
    result = invoke("validate", str(tmp_path / "facts.json"))
    assert result.exit_code == 1
    assert "src-lemonde-2023-09-21.archive: sources/" in result.stdout
    assert (
        "q-defender-no-celebration.excerpt: excerpt does not occur verbatim in the archived text "
        "of 'src-lemonde-2023-09-21'"
    ) in result.stdout


def _not_utf8(folder: Path) -> dict[str, str]:
    data = b"caf\xe9 " + TEXT.encode()
    (folder / ARCHIVE_PATH).write_bytes(data)
    return {"path": ARCHIVE_PATH, "sha256": sha256(data)}


def _wrong_sha256(folder: Path) -> dict[str, str]:
    (folder / ARCHIVE_PATH).write_text(TEXT, encoding="utf-8")
    return {"path": ARCHIVE_PATH, "sha256": sha256(b"another text")}


def _directory(folder: Path) -> dict[str, str]:
    (folder / "sources" / "folder.txt").mkdir()
    return {"path": "sources/folder.txt", "sha256": sha256(b"")}


def _link_outside(folder: Path) -> dict[str, str]:
    outside = folder.parent / "outside.txt"
    outside.write_text(TEXT, encoding="utf-8")
    (folder / "sources" / "link.txt").symlink_to(outside)
    return {"path": "sources/link.txt", "sha256": sha256(TEXT.encode())}


ARCHIVE_PROBLEMS: list[tuple[str, Callable[[Path], dict[str, str]], str]] = [
    (
        "missing",
        lambda folder: {"path": "sources/absent.txt", "sha256": sha256(TEXT.encode())},
        "no such file 'sources/absent.txt' beside the fact base",
    ),
    (
        "wrong sha256",
        _wrong_sha256,
        f"sources/src-note.txt has changed since it was archived: its SHA-256 is {sha256(TEXT.encode())}",
    ),
    (
        "malformed sha256",
        lambda folder: {"path": ARCHIVE_PATH, "sha256": "ABC"},
        "sha256 must be 64 lower-case hexadecimal digits, got 'ABC'",
    ),
    ("not utf-8", _not_utf8, "sources/src-note.txt is not UTF-8 text (byte 0xe9 at offset 3)"),
    ("directory", _directory, "sources/folder.txt is a directory, not a text file"),
    (
        "parent folder",
        lambda folder: {"path": "../outside.txt", "sha256": sha256(TEXT.encode())},
        "path must stay inside the fact base's folder, got '../outside.txt'",
    ),
    (
        "absolute",
        lambda folder: {"path": str(folder / ARCHIVE_PATH), "sha256": sha256(TEXT.encode())},
        "path must be relative to the fact base's folder",
    ),
    (
        "backslash",
        lambda folder: {"path": "sources\\src-note.txt", "sha256": sha256(TEXT.encode())},
        "path must use / between folders",
    ),
    ("link outside", _link_outside, "sources/link.txt leads outside the fact base's folder"),
]


@pytest.mark.parametrize(
    ("make", "message"),
    [(m, s) for _, m, s in ARCHIVE_PROBLEMS],
    ids=[n for n, _, _ in ARCHIVE_PROBLEMS],
)
def test_an_unusable_archive_is_a_problem_on_its_source(
    invoke: Invoke,
    write_small: WriteSmall,
    tmp_path: Path,
    make: Callable[[Path], dict[str, str]],
    message: str,
) -> None:
    """A missing, changed, unreadable or escaping archive is named PATH:LINE:COL: source.archive: what."""
    folder = tmp_path / "base"
    (folder / "sources").mkdir(parents=True)
    path = write_small(small_base(archive_entry=make(folder)), text=None)
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: src-note\.archive: ", line), line
    assert message in line
    (finding,) = json.loads(invoke("validate", str(path), "--json").stdout)
    assert (finding["record"], finding["field"], finding["path"]) == (
        "sources[0]",
        "archive",
        ["sources", 0, "archive"],
    )


@pytest.mark.parametrize("entry", ["null", "absent"])
def test_a_source_without_archive_is_a_warning(
    invoke: Invoke, write_small: WriteSmall, entry: str
) -> None:
    """A source with no archived text (a broadcast) passes, with a warning that its excerpts go unchecked."""
    base = small_base()
    if entry == "null":
        base["sources"][0]["archive"] = None
    else:
        del base["sources"][0]["archive"]
    result = invoke("validate", str(write_small(base, text=None)))
    assert result.exit_code == 0
    assert re.search(
        r":\d+:\d+: warning: src-note: no archived text: excerpts citing this source are not checked\n$",
        result.stdout,
    )
    assert "0 error(s), 1 warning(s)" in result.stderr


def test_a_lookup_still_answers_when_the_archive_is_missing(
    invoke: Invoke, write_small: WriteSmall
) -> None:
    """Lookups never open archives: a missing one changes nothing for kb quote."""
    path = write_small(small_base(), text=None)
    result = invoke("--facts", str(path), "quote", "envoy", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] == "q-envoy"
    assert result.stderr == ""


def test_show_gives_the_sentences_around_the_excerpt(
    invoke: Invoke, write_small: WriteSmall
) -> None:
    """show's context is the sentence before, the excerpt and the sentence after; its selector points at the excerpt."""
    path = write_small(small_base())
    result = invoke("--facts", str(path), "show", "q-envoy", "--json")
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)
    assert row["context"] == (
        "The talks began at noon. “We will not give up,” the envoy said. Nobody answered."
    )
    selector = row["selector"]
    assert selector["type"] == "TextPositionSelector"
    assert selector["source"] == ARCHIVE_PATH
    assert TEXT[selector["start"] : selector["end"]] == selector["exact"] == EXCERPT
    assert selector["prefix"] == TEXT[: selector["start"]][-32:]
    assert selector["suffix"] == TEXT[selector["end"] :][:32]


def test_show_marks_the_quote_in_its_context(invoke: Invoke, write_small: WriteSmall) -> None:
    """In the table the quote itself is marked inside the context."""
    path = write_small(small_base())
    env = {"NO_COLOR": "", "FORCE_COLOR": "1"}
    result = invoke("--facts", str(path), "show", "q-envoy", "-f", "table", env=env)
    assert result.exit_code == 0
    context_row = next(line for line in result.stdout.splitlines() if "Context" in line)
    assert "\x1b[1;7mWe will not give up\x1b[0m" in context_row


def test_show_without_its_archive_still_answers_and_says_why(
    invoke: Invoke, write_small: WriteSmall
) -> None:
    """A missing archive leaves context and selector null, and stderr says why."""
    path = write_small(small_base(), text=None)
    result = invoke("--facts", str(path), "show", "q-envoy", "--json")
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)
    assert (row["context"], row["selector"]) == (None, None)
    assert result.stderr == (
        "kb: no context for q-envoy: no such file 'sources/src-note.txt' beside the fact base\n"
    )


def test_offsets_count_code_points_not_bytes() -> None:
    """Offsets index the text decoded as UTF-8: non-ASCII before the excerpt counts one each."""
    text = "İlham Əliyev spoke. “Sovereignty is restored.” Then he left."
    found = archive.locate(text, "sources/x.txt", "“Sovereignty is restored.”")
    assert found is not None
    assert (found.start, found.end) == (20, 46)
    assert text[found.start : found.end] == found.exact


def test_context_is_cut_in_a_text_without_sentence_ends() -> None:
    """A text without punctuation does not make the whole archive the context."""
    text = "word " * 5000 + "the quoted words " + "word " * 5000
    found = archive.locate(text, "sources/x.txt", "the quoted words")
    assert found is not None
    assert found.context.startswith("… word")
    assert found.context.endswith("word …")
    assert len(found.context) < 2 * archive.CONTEXT_CHARS + 100


def test_an_excerpt_not_in_the_text_has_no_passage() -> None:
    """locate says None rather than point somewhere near."""
    assert archive.locate(TEXT, ARCHIVE_PATH, "We will give up") is None


MARKED_TEXT = st.text(alphabet="ab .\n\t“”\"'’«»", max_size=40)


@given(haystack=MARKED_TEXT, needle=MARKED_TEXT)
def test_find_verbatim_agrees_with_normalised_comparison(haystack: str, needle: str) -> None:
    """A span is found exactly when the normalised needle is in the normalised haystack, and it holds the needle."""
    found = find_verbatim(haystack, needle)
    target = normalise_quoting(needle)
    if not target or target not in normalise_quoting(haystack):
        assert found is None
        return
    assert found is not None
    start, end = found
    assert normalise_quoting(haystack[start:end]) == target
    assert not haystack[start].isspace() and not haystack[end - 1].isspace()


def test_find_verbatim_compiles_no_pattern_from_the_needle(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quote of megabytes is found without a regular expression as large as itself."""
    compiled: list[int] = []
    real_compile = re._compile  # type: ignore[attr-defined]

    def counting(pattern: Any, flags: Any) -> Any:
        compiled.append(len(pattern))
        return real_compile(pattern, flags)

    monkeypatch.setattr(re, "_compile", counting)
    needle = "“a word” and  another, " * 100_000
    haystack = "before. " + needle.replace("“", '"').replace("  ", "\n") + " after."
    found = find_verbatim(haystack, needle)
    assert found == (8, 8 + len(needle.rstrip()) - 100_000)
    assert max(compiled, default=0) < 100
