"""kb init and kb add: new records checked against the archived source, refused writes that
leave the file byte for byte, and the canonical layout kept."""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karabakh_cli.base import factbase, sentences
from karabakh_cli.base.problems import Problem
from karabakh_cli.curate import ids, writing
from karabakh_cli.text import contains_verbatim
from tests.conftest import ARTICLE, FACTS, REPO, SOURCE_ID, Invoke, kb, make_base


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    """A base with the invented article archived and two people."""
    return make_base(tmp_path)


def add_quote(
    facts: Path, *extra: str, text: str = "Nothing is settled yet"
) -> tuple[int, str, str]:
    return kb(
        facts,
        "add",
        "quote",
        "--speaker",
        "Kerbel",
        "--text",
        text,
        "--source",
        SOURCE_ID,
        "--date",
        "2023-09-21",
        *extra,
    )


def test_init_makes_an_empty_valid_base_with_a_sources_folder(
    tmp_path: Path, invoke: Invoke
) -> None:
    """kb init writes a base kb validate passes, in the canonical layout, and sources/."""
    target = tmp_path / "new" / "facts.json"
    result = invoke("init", str(target))
    assert result.exit_code == 0, result.stderr
    assert factbase.diagnose(target.read_bytes()) == []
    assert json.loads(target.read_text(encoding="utf-8"))["quotes"] == []
    assert (tmp_path / "new" / "sources").is_dir()
    assert invoke("fmt", "--check", str(target)).exit_code == 0


def test_init_in_a_folder_makes_facts_json_there(tmp_path: Path, invoke: Invoke) -> None:
    """kb init FOLDER creates FOLDER/facts.json."""
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "facts.json").is_file()


def test_init_never_overwrites(tmp_path: Path, invoke: Invoke) -> None:
    """kb init on an existing file exits 2 and leaves it byte for byte."""
    target = tmp_path / "facts.json"
    target.write_bytes(b"precious")
    result = invoke("init", str(target))
    assert result.exit_code == 2
    assert "never overwrites" in result.stderr
    assert target.read_bytes() == b"precious"


def test_add_refuses_the_built_in_base(invoke: Invoke) -> None:
    """Without --facts or KB_FACTS kb add says how to name a base, exit 2."""
    before = FACTS.read_bytes()
    result = invoke("add", "person", "--name", "X Y", "--role", "r", "--source", "s")
    assert result.exit_code == 2
    assert "read-only" in result.stderr and "--facts" in result.stderr
    assert "KB_FACTS" in result.stderr
    assert FACTS.read_bytes() == before


def test_add_refuses_the_built_in_base_named_by_its_path(invoke: Invoke) -> None:
    """Naming the built-in base's own file does not make it writable."""
    result = invoke("--facts", str(FACTS), "add", "term", "--text", "t", "--source", "s")
    assert result.exit_code == 2
    assert "read-only" in result.stderr


def test_add_source_archives_the_text_with_its_hash(facts: Path) -> None:
    """The archive is a byte-for-byte copy whose SHA-256 the source records."""
    source = json.loads(facts.read_text(encoding="utf-8"))["sources"][0]
    archived = facts.parent / source["archive"]["path"]
    assert source["archive"]["path"] == f"sources/{SOURCE_ID}.txt"
    assert archived.read_bytes() == ARTICLE.encode()
    assert source["archive"]["sha256"] == hashlib.sha256(ARTICLE.encode()).hexdigest()


def test_a_second_source_of_the_same_publisher_and_day_gets_a_suffix(facts: Path) -> None:
    """Ids stay unique: src-...-2."""
    other = facts.parent / "other.txt"
    other.write_text("Another report. It says little.", encoding="utf-8")
    code, _, stderr = kb(
        facts, "add", "source", "--title", "More", "--publisher", "Ruritania Times",
        "--date", "2023-09-21", "--text", str(other), "--json",
    )  # fmt: skip
    assert code == 0, stderr
    assert f"added source {SOURCE_ID}-2" in stderr


def test_add_source_refuses_text_that_is_not_utf8(facts: Path) -> None:
    """A binary file is refused, exit 2, and neither the base nor sources/ changes."""
    before = facts.read_bytes()
    binary = facts.parent / "scan.pdf"
    binary.write_bytes(b"%PDF\xff\xfe")
    code, _, stderr = kb(
        facts, "add", "source", "--title", "Scan", "--publisher", "P", "--date", "2023",
        "--text", str(binary),
    )  # fmt: skip
    assert code == 2
    assert "not UTF-8" in stderr
    assert facts.read_bytes() == before
    assert sorted(path.name for path in (facts.parent / "sources").iterdir()) == [
        f"{SOURCE_ID}.txt"
    ]


def test_add_person_finds_the_sentence_with_an_alias(facts: Path) -> None:
    """When only an alias stands in the text, the excerpt is the sentence holding it."""
    people = json.loads(facts.read_text(encoding="utf-8"))["people"]
    assert (
        people[1]["excerpt"] == "Mr. Kerbel, her deputy, was less sure: “Nothing is settled yet.”"
    )


def test_add_person_not_in_the_text_needs_an_excerpt(facts: Path) -> None:
    """In a pipe a person the text never names fails naming --excerpt, exit 2."""
    before = facts.read_bytes()
    code, _, stderr = kb(
        facts, "add", "person", "--name", "Nikol Pashinyan", "--role", "PM", "--source", SOURCE_ID
    )
    assert code == 2
    assert "--excerpt" in stderr
    assert facts.read_bytes() == before


def test_add_quote_finds_speaker_excerpt_and_id(facts: Path) -> None:
    """A surname finds the speaker; the excerpt is the sentence; the id is made from both."""
    code, stdout, stderr = add_quote(facts, "--json")
    assert code == 0, stderr
    row = json.loads(stdout)[0]
    assert row["id"] == "q-kerbel-nothing-settled-yet"
    assert row["speaker"]["id"] == "anton-kerbel"
    assert row["excerpt"] == "Mr. Kerbel, her deputy, was less sure: “Nothing is settled yet.”"
    assert row["medium"] == "reported by Ruritania Times"


def test_add_quote_prints_the_record_as_kb_show_does(facts: Path) -> None:
    """The add's output is kb show's output for the new record."""
    code, added, _ = add_quote(facts, "--format", "plain")
    assert code == 0
    code, shown, _ = kb(facts, "show", "q-kerbel-nothing-settled-yet", "--format", "plain")
    assert code == 0
    assert added == shown


def test_add_quote_accepts_a_typo_and_other_quotation_marks(facts: Path) -> None:
    """Testvoa finds Ivana Testova; straight quotes and a line break match the typographic text."""
    code, stdout, stderr = kb(
        facts, "add", "quote", "--speaker", "Testvoa", "--text",
        '"We have restored\n our sovereignty,"', "--source", SOURCE_ID, "--date", "2023-09-21",
        "--json",
    )  # fmt: skip
    assert code == 0, stderr
    assert json.loads(stdout)[0]["speaker"]["id"] == "ivana-testova"
    # A write that guessed silently would put words in the wrong mouth: kb says whom it took.
    assert "--speaker 'Testvoa': no exact match; took Ivana Testova (ivana-testova)" in stderr


def test_add_quote_by_an_exact_name_says_nothing_of_matching(facts: Path) -> None:
    """A speaker named exactly is taken without a word about matching."""
    code, _, stderr = add_quote(facts, "--json")
    assert code == 0, stderr
    assert "no exact match" not in stderr


def test_add_quote_refuses_an_unknown_speaker_with_candidates(facts: Path) -> None:
    """A name nobody has is refused, exit 2, with the nearest people."""
    before = facts.read_bytes()
    code, _, stderr = kb(
        facts, "add", "quote", "--speaker", "Boris Testov", "--text", "Nothing is settled yet",
        "--source", SOURCE_ID, "--date", "2023",
    )  # fmt: skip
    assert code == 2
    assert "--speaker" in stderr and "Ivana Testova" in stderr
    assert facts.read_bytes() == before


def test_add_quote_refuses_an_ambiguous_speaker_naming_each(facts: Path) -> None:
    """A surname two people share is refused, exit 2, listing both."""
    code, _, stderr = kb(
        facts, "add", "person", "--name", "Anna Testova", "--role", "Envoy", "--source",
        SOURCE_ID, "--excerpt", "The talks opened on Thursday.",
    )  # fmt: skip
    assert code == 0, stderr
    before = facts.read_bytes()
    code, _, stderr = kb(
        facts, "add", "quote", "--speaker", "Testova", "--text", "Nothing is settled yet",
        "--source", SOURCE_ID, "--date", "2023",
    )  # fmt: skip
    assert code == 2
    assert "Anna Testova" in stderr and "Ivana Testova" in stderr
    assert facts.read_bytes() == before


@pytest.mark.parametrize(
    ("extra", "text", "option"),
    [
        ((), "Everything is settled", "--text"),
        (("--excerpt", "Kerbel said nothing is settled."), "Nothing is settled yet", "--excerpt"),
        (("--excerpt", "The talks opened on Thursday."), "Nothing is settled yet", "--excerpt"),
        (("--id", "Bad Id"), "Nothing is settled yet", "--id"),
        (("--id", "anton-kerbel"), "Nothing is settled yet", "--id"),
        (("--contradicts", "q-nowhere"), "Nothing is settled yet", "--contradicts"),
    ],
)
def test_refused_quotes_leave_the_base_byte_for_byte(
    facts: Path, extra: tuple[str, ...], text: str, option: str
) -> None:
    """Text not in the archive, an excerpt not in it or not holding the text, a bad or taken
    id, a dangling link: exit 2, one line naming the option, the file unchanged."""
    before = facts.read_bytes()
    code, stdout, stderr = add_quote(facts, *extra, text=text)
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and option in stderr
    assert facts.read_bytes() == before


def test_a_result_the_checks_refuse_is_not_written(facts: Path) -> None:
    """An alias that already names someone fails the whole-base check: exit 2, unchanged."""
    before = facts.read_bytes()
    code, _, stderr = kb(
        facts, "add", "person", "--name", "Olaf Brandt", "--alias", "Mr. Kerbel", "--role", "General",
        "--source", SOURCE_ID,
    )  # fmt: skip
    assert code == 2
    assert "nothing written" in stderr and "already names" in stderr
    assert facts.read_bytes() == before


def test_a_changed_archive_is_refused(facts: Path) -> None:
    """An archive whose bytes no longer match the recorded SHA-256 is refused."""
    archive = facts.parent / "sources" / f"{SOURCE_ID}.txt"
    archive.write_text(ARTICLE + "Nothing is settled yet.\n", encoding="utf-8")
    before = facts.read_bytes()
    code, _, stderr = add_quote(facts)
    assert code == 2
    assert "SHA-256" in stderr
    assert facts.read_bytes() == before


def test_the_same_words_twice_are_refused(facts: Path) -> None:
    """A speaker's quote already in the base is not added again."""
    assert add_quote(facts)[0] == 0
    code, _, stderr = add_quote(facts)
    assert code == 2
    assert "q-kerbel-nothing-settled-yet" in stderr


def test_ids_are_unique_and_id_overrides(facts: Path) -> None:
    """Two quotes whose ids would clash get -2; --id is used as given."""
    assert add_quote(facts, text="Nothing is settled yet")[0] == 0
    code, _, stderr = add_quote(facts, text="Nothing is settled yet.")
    assert code == 0
    assert "q-kerbel-nothing-settled-yet-2" in stderr
    code, _, stderr = add_quote(facts, "--id", "q-kerbel-unsure", text="settled yet")
    assert code == 0
    assert "q-kerbel-unsure" in stderr


def test_dry_run_shows_the_record_and_writes_nothing(facts: Path) -> None:
    """--dry-run prints the record, exit 0, and the file is byte for byte as it was."""
    before = facts.read_bytes()
    code, stdout, stderr = add_quote(facts, "--dry-run", "--json")
    assert code == 0
    assert json.loads(stdout)[0]["id"] == "q-kerbel-nothing-settled-yet"
    assert "dry run" in stderr
    assert facts.read_bytes() == before


def test_an_add_changes_only_the_new_records_lines_and_a_comma(facts: Path) -> None:
    """The git-style diff of an add is the record's lines plus at most one comma line."""
    assert add_quote(facts)[0] == 0
    before = facts.read_text(encoding="utf-8").splitlines()
    code, _, stderr = kb(
        facts, "add", "quote", "--speaker", "Testova", "--text", "We have restored our sovereignty",
        "--source", SOURCE_ID, "--date", "2023-09-21",
    )  # fmt: skip
    assert code == 0, stderr
    after = facts.read_text(encoding="utf-8").splitlines()
    changes = [
        line for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]  # fmt: skip
    removed = [line for line in changes if line.startswith("-")]
    assert removed == []
    assert changes[0] == "+    },"
    assert changes[1] == "+    {"
    assert '"id": "q-testova-restored-sovereignty"' in changes[2]


def test_event_excerpt_comes_from_the_option_unless_its_text_stands_there(facts: Path) -> None:
    """An event in the curator's words needs --excerpt; words from the text find their sentence."""
    before = facts.read_bytes()
    code, _, stderr = kb(
        facts, "add", "event", "--date", "2023-09-21", "--text", "Talks open in Yevlakh",
        "--source", SOURCE_ID,
    )  # fmt: skip
    assert code == 2
    assert "--excerpt" in stderr
    assert facts.read_bytes() == before
    code, stdout, stderr = kb(
        facts, "add", "event", "--date", "2023-09-21", "--text", "Talks open in Yevlakh",
        "--source", SOURCE_ID, "--excerpt", "The talks opened on Thursday.", "--actor", "Testova",
        "--json",
    )  # fmt: skip
    assert code == 0, stderr
    event = json.loads(stdout)[0]
    assert event["id"] == "e-talks-open-yevlakh"
    assert [actor["id"] for actor in event["actors"]] == ["ivana-testova"]
    code, stdout, stderr = kb(
        facts, "add", "event", "--date", "2023-09-22", "--text", "The ceasefire held overnight",
        "--source", SOURCE_ID, "--json",
    )  # fmt: skip
    assert code == 0, stderr
    assert json.loads(stdout)[0]["excerpt"] == "The ceasefire held overnight!"


def test_add_term_goes_after_the_others(facts: Path) -> None:
    """A term is numbered last, quoted as told, its excerpt the sentence holding it."""
    code, stdout, stderr = kb(
        facts, "add", "term", "--text", "all units will withdraw within a week", "--quoted",
        "--source", SOURCE_ID, "--json",
    )  # fmt: skip
    assert code == 0, stderr
    term = json.loads(stdout)[0]
    assert (term["number"], term["quoted"], term["id"]) == (1, True, "t-all-units-withdraw")
    assert term["excerpt"].startswith("Ruritania and Grand Fenwick agreed")


def test_missing_fields_in_a_pipe_are_listed_not_asked(facts: Path) -> None:
    """Without a terminal kb never prompts: exit 2 naming every missing option."""
    before = facts.read_bytes()
    code, stdout, stderr = kb(facts, "add", "quote", "--text", "Nothing is settled yet")
    assert code == 2
    assert stdout == ""
    assert "missing --speaker, --source, --date" in stderr
    assert facts.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--date", "2023-02-30"), "'2023-02-30'"),
        (("--source", "src-nowhere"), "no source has the id"),
    ],
)
def test_bad_dates_and_sources_are_usage_errors(
    facts: Path, args: tuple[str, ...], message: str
) -> None:
    """An impossible date or an unknown source id is refused, exit 2."""
    options = {"--date": "2023-09-21", "--source": SOURCE_ID, **dict([args])}
    code, _, stderr = kb(
        facts, "add", "event", "--text", "The ceasefire held overnight",
        *(item for pair in options.items() for item in pair),
    )  # fmt: skip
    assert code == 2
    assert message in stderr


def test_adding_to_a_broken_base_is_refused_with_exit_3(tmp_path: Path) -> None:
    """A base that does not load is not written to: exit 3, byte for byte."""
    broken = tmp_path / "facts.json"
    broken.write_bytes(b'{"schema_version": 1, "sources": [')
    code, _, stderr = kb(broken, "add", "term", "--text", "t", "--source", "s")
    assert code == 3
    assert "truncated" in stderr
    assert broken.read_bytes() == b'{"schema_version": 1, "sources": ['


def test_adding_to_a_missing_base_says_so_and_makes_no_lock(tmp_path: Path) -> None:
    """A base that does not exist: exit 3, 'no such file', no lock file left."""
    code, _, stderr = kb(tmp_path / "facts.json", "add", "term", "--text", "t", "--source", "s")
    assert code == 3
    assert "no such file" in stderr
    assert list(tmp_path.iterdir()) == []


def test_an_add_makes_a_hand_formatted_base_canonical_and_says_so(facts: Path) -> None:
    """A base indented by hand is written back canonical, with a note on stderr."""
    facts.write_text(json.dumps(json.loads(facts.read_bytes()), indent=4), encoding="utf-8")
    code, _, stderr = add_quote(facts)
    assert code == 0, stderr
    assert "canonical layout" in stderr
    assert kb(facts, "fmt", "--check", str(facts))[0] == 0


def test_temporary_files_of_dead_writers_are_removed(facts: Path) -> None:
    """A .facts.json.*.tmp left by a killed writer is gone after the next add."""
    stale = facts.parent / ".facts.json.k1ll3d.tmp"
    stale.write_bytes(b'{"half": ')
    assert add_quote(facts)[0] == 0
    assert not stale.exists()


def test_sentences_holding_spans_every_sentence_of_the_text() -> None:
    """Words over a sentence end give both sentences; a title's full stop ends nothing."""
    found = sentences.holding(ARTICLE, "address. Mr. Kerbel")
    assert found is not None
    assert found.startswith("“We have restored") and found.endswith("“Nothing is settled yet.”")
    assert sentences.holding(ARTICLE, "Olaf Brandt") == "Gen. Olaf Brandt said nothing at all."
    assert sentences.holding(ARTICLE, "Yevlakh") == "Talks in Yevlakh"
    assert sentences.holding(ARTICLE, "not in the text") is None


def test_the_same_text_is_not_archived_twice(facts: Path) -> None:
    """Adding a source whose text is already archived is refused, naming that source."""
    code, _, stderr = kb(
        facts, "add", "source", "--title", "Again", "--publisher", "Other", "--date", "2023",
        "--text", str(facts.parent / "article.txt"),
    )  # fmt: skip
    assert code == 2
    assert SOURCE_ID in stderr


def test_an_archive_left_by_a_dead_writer_is_never_overwritten(facts: Path) -> None:
    """A sources/ID.txt no source records, holding another text, keeps it; the id moves on."""
    orphan = facts.parent / "sources" / "src-wire-2024.txt"
    orphan.write_text("Left behind.", encoding="utf-8")
    text = facts.parent / "wire.txt"
    text.write_text("A wire report. It is short.", encoding="utf-8")
    code, _, stderr = kb(
        facts, "add", "source", "--title", "Wire", "--publisher", "Wire", "--date", "2024",
        "--text", str(text),
    )  # fmt: skip
    assert code == 0, stderr
    assert "src-wire-2024-2" in stderr
    assert orphan.read_text(encoding="utf-8") == "Left behind."


@pytest.mark.parametrize(
    "command",
    ["init", "fmt", "diff", "add source", "add person", "add quote", "add event", "add term"],
)
def test_every_write_command_has_help_with_examples_and_is_in_the_readme(
    invoke: Invoke, command: str
) -> None:
    """Each command's help ends with two real examples, and the README documents it."""
    result = invoke(*command.split(), "--help")
    assert result.exit_code == 0
    tail = result.stdout.strip().splitlines()[-3:]
    assert sum("$ " in line and "kb " in line for line in tail) == 2
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"kb {command}" in readme or f"`{command} --" in readme


def test_init_with_a_name_without_extension_makes_a_folder(tmp_path: Path, invoke: Invoke) -> None:
    """kb init my-base creates my-base/facts.json, not a file named my-base."""
    result = invoke("init", str(tmp_path / "my-base"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "my-base" / "facts.json").is_file()
    assert (tmp_path / "my-base" / "sources").is_dir()


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=8)
SENTENCE = st.lists(WORD, min_size=2, max_size=8).map(
    lambda words: " ".join(words).capitalize() + "."
)


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(SENTENCE, min_size=1, max_size=6),
    gaps=st.lists(st.sampled_from([" ", "  ", "\n", "\n\n"]), min_size=6, max_size=6),
    data=st.data(),
)
def test_a_found_excerpt_is_whole_sentences_of_the_archive_holding_the_text(
    parts: list[str], gaps: list[str], data: st.DataObject
) -> None:
    """Whatever the text and the words asked for, the excerpt stands in the archive, holds
    the words, and is whole sentences."""
    archive = "".join(sentence + gap for sentence, gap in zip(parts, gaps, strict=False))
    words = archive.split()
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    needle = " ".join(words[start:end])
    excerpt = sentences.holding(archive, needle)
    assert excerpt is not None
    assert contains_verbatim(excerpt, needle)
    assert contains_verbatim(archive, excerpt)
    assert excerpt.endswith(".")
    assert excerpt in {
        " ".join(" ".join(parts[i:j]).split())
        for i in range(len(parts))
        for j in range(i + 1, len(parts) + 1)
    }


def test_files_a_refused_write_brought_are_removed(tmp_path: Path) -> None:
    """An archive placed for a write that then fails is removed; one already there stays."""
    base = tmp_path / "facts.json"
    base.write_text("{}", encoding="utf-8")
    new, old = tmp_path / "sources" / "new.txt", tmp_path / "sources" / "old.txt"
    old.parent.mkdir()
    old.write_bytes(b"kept")
    with pytest.raises(writing.Invalid), writing.placed([(new, b"n"), (old, b"kept")], base):
        assert new.read_bytes() == b"n"
        raise writing.Invalid([Problem("refused")])
    assert not new.exists()
    assert old.read_bytes() == b"kept"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["facts.json", "sources"]


def test_a_name_kb_cannot_spell_in_ascii_needs_an_id(facts: Path) -> None:
    """A name in Cyrillic makes no id: exit 2 asking for --id; with --id it is added."""
    args = ("add", "person", "--name", "Иван Тестов", "--role", "Envoy", "--source", SOURCE_ID)
    args += ("--excerpt", "The talks opened on Thursday.")
    code, _, stderr = kb(facts, *args)
    assert code == 2
    assert "--id" in stderr
    code, _, stderr = kb(facts, *args, "--id", "ivan-testov")
    assert code == 0, stderr


def test_ids_fold_accents_and_drop_apostrophes() -> None:
    """İlham Əliyev -> ilham-eliyev; O'Brien -> obrien."""
    assert ids.slug("İlham Əliyev") == "ilham-eliyev"
    assert ids.slug("Seán O'Brien") == "sean-obrien"


def test_add_source_records_a_supplied_title(facts: Path) -> None:
    """--title-supplied is recorded, and kb sources --json says which titles are supplied."""
    untitled = facts.parent / "untitled.txt"
    untitled.write_text("A statement without a title. It says little.", encoding="utf-8")
    code, _, stderr = kb(
        facts, "add", "source", "--title", "Statement on the talks", "--title-supplied",
        "--publisher", "Untitled Office", "--date", "2023-09-22", "--text", str(untitled),
    )  # fmt: skip
    assert code == 0, stderr
    code, stdout, stderr = kb(facts, "sources", "--json")
    assert code == 0, stderr
    supplied = {row["title"]: row["title_supplied"] for row in json.loads(stdout)}
    assert supplied["Statement on the talks"] is True
    assert False in supplied.values()
