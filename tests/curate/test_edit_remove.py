"""kb edit and kb remove: fields changed on every kind, checked as kb add checks them, a
source's corrected text archived again, records removed only when nothing needs them; each
refused write leaves every file byte for byte, and a dry run writes nothing."""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.cli.app import app
from karabakh_cli.curate import editing
from karabakh_cli.model import KIND_BY_COLLECTION
from tests.conftest import ARTICLE, FACTS, REPO, SOURCE_ID, Invoke, kb, make_base

QUOTE_ID = "q-kerbel-nothing-settled-yet"
TERM_ID = "t-ruritania-grand-fenwick"
EVENT_ID = "e-talks-opened-thursday"
ARCHIVE = f"sources/{SOURCE_ID}.txt"


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    """The invented article's base, with a quote, a term and an event added by kb."""
    path = make_base(tmp_path)
    steps = [
        ["add", "quote", "--speaker", "Kerbel", "--text", "Nothing is settled yet",
         "--source", SOURCE_ID, "--date", "2023-09-21"],
        ["add", "term", "--text", "all units will withdraw within a week",
         "--source", SOURCE_ID, "--id", TERM_ID, "--actor", "Testova"],
        ["add", "event", "--date", "2023-09-21", "--text", "The talks opened",
         "--source", SOURCE_ID, "--id", EVENT_ID, "--actor", "Testova", "--actor", "Kerbel"],
    ]  # fmt: skip
    for step in steps:
        code, _, stderr = kb(path, *step)
        assert code == 0, stderr
    return path


def records(facts: Path, collection: str) -> dict[str, dict[str, Any]]:
    base = json.loads(facts.read_text(encoding="utf-8"))
    return {record["id"]: record for record in base[collection]}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the base's folder, lock files aside: what a refused write must leave."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


@pytest.mark.parametrize(
    ("record_id", "collection", "args", "field", "value"),
    [
        (SOURCE_ID, "sources", ["--title", "Talks open in Yevlakh"], "title",
         "Talks open in Yevlakh"),
        ("anton-kerbel", "people", ["--role", "Deputy minister"], "role", "Deputy minister"),
        ("anton-kerbel", "people", ["--alias", "Kerbel", "--alias", "Mr. Kerbel"], "aliases",
         ["Kerbel", "Mr. Kerbel"]),
        (QUOTE_ID, "quotes", ["--date", "2023-09-20?"], "date", "2023-09-20?"),
        (QUOTE_ID, "quotes", ["--medium", "press conference"], "medium", "press conference"),
        (TERM_ID, "terms", ["--quoted"], "quoted", True),
        (EVENT_ID, "events", ["--place", "Yevlakh"], "where", "Yevlakh"),
        (EVENT_ID, "events", ["--actor", "kerbel"], "actors", ["anton-kerbel"]),
    ],
)  # fmt: skip
def test_edit_sets_a_field_of_each_kind(
    facts: Path, record_id: str, collection: str, args: list[str], field: str, value: object
) -> None:
    """kb edit ID --FIELD VALUE sets the field, lists the change, and the base stays valid."""
    code, stdout, stderr = kb(facts, "edit", record_id, *args)
    assert code == 0, stderr
    assert records(facts, collection)[record_id][field] == value
    assert stdout.startswith(
        f"changed\t{KIND_BY_COLLECTION[collection].name}\t{record_id}\t{field}\t"
    )
    assert f"changed {KIND_BY_COLLECTION[collection].name} {record_id} in {facts}" in stderr
    assert kb(facts, "validate")[0] == 0


def test_edit_changes_only_the_fields_lines(facts: Path) -> None:
    """The file's diff is the changed field's line: the record keeps its place and layout."""
    before = facts.read_text(encoding="utf-8").splitlines()
    assert kb(facts, "edit", TERM_ID, "--note", "Paraphrased by the report")[0] == 0
    after = facts.read_text(encoding="utf-8").splitlines()
    changed = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-      ]",
        "+      ],",
        '+      "note": "Paraphrased by the report"',
    ]
    assert kb(facts, "fmt", "--check", str(facts))[0] == 0


def test_an_empty_value_clears_an_optional_field(facts: Path) -> None:
    """--note '' removes the note; --actor '' empties the list of actors."""
    assert kb(facts, "edit", EVENT_ID, "--note", "x")[0] == 0
    code, _, stderr = kb(facts, "edit", EVENT_ID, "--note", "", "--actor", "")
    assert code == 0, stderr
    event = records(facts, "events")[EVENT_ID]
    assert "note" not in event
    assert event["actors"] == []


def test_a_shorter_text_keeps_its_excerpt_and_a_moved_one_finds_its_sentence(
    facts: Path,
) -> None:
    """A text still in the excerpt keeps it; a text elsewhere in the archive gets that
    sentence as its new excerpt, as kb add finds one."""
    excerpt = records(facts, "quotes")[QUOTE_ID]["excerpt"]
    assert kb(facts, "edit", QUOTE_ID, "--text", "Nothing is settled")[0] == 0
    assert records(facts, "quotes")[QUOTE_ID]["excerpt"] == excerpt
    code, _, stderr = kb(facts, "edit", TERM_ID, "--text", "The ceasefire held overnight")
    assert code == 0, stderr
    assert records(facts, "terms")[TERM_ID]["excerpt"] == "The ceasefire held overnight!"
    assert "the excerpt is now the archive's sentence" in stderr


def test_a_speaker_is_found_by_name_and_the_excerpt_must_credit_them(facts: Path) -> None:
    """--speaker takes a name as kb add does; a speaker the excerpt does not credit is refused
    in the record's own words, and the file is left byte for byte."""
    before = snapshot(facts.parent)
    code, stdout, stderr = kb(facts, "edit", QUOTE_ID, "--speaker", "Testova")
    assert code == 2
    assert stdout == ""
    assert stderr.startswith("kb: --speaker: the excerpt's one name is Mr. Kerbel, not Ivana")
    assert stderr.endswith("; nothing written\n")
    assert len(stderr.splitlines()) == 1
    assert snapshot(facts.parent) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text", "Everything is settled"], "--text: the text does not stand verbatim"),
        (["--date", "2023-02-30"], "--date: impossible date '2023-02-30'"),
        (["--speaker", "Nobody Atall"], "--speaker: no person in the fact base matches"),
        (["--source", "src-nowhere"], "--source: no source has the id 'src-nowhere'"),
        (["--contradicts", "q-nowhere"], "--contradicts: no quote has the id 'q-nowhere'"),
        (["--attribution", "guessed"], "--attribution: expected inferred or stated"),
        (["--medium", " "], "--medium: must not be empty"),
        (["--quoted"], "--quoted: not a field of a quote, which takes --speaker, --text"),
        ([], "nothing to change; give one or more of --speaker"),
    ],
)
def test_a_refused_edit_is_one_line_and_writes_nothing(
    facts: Path, args: list[str], message: str
) -> None:
    """Bad values are refused with exit 2, one line naming the option, every file untouched."""
    before = snapshot(facts.parent)
    code, stdout, stderr = kb(facts, "edit", QUOTE_ID, *args)
    assert code == 2
    assert stdout == ""
    assert stderr.startswith(f"kb: {message}"), stderr
    assert len(stderr.splitlines()) == 1
    assert snapshot(facts.parent) == before


@pytest.mark.parametrize("command", [["edit", "q-nowhere", "--note", "x"], ["remove", "q-nowhere"]])
def test_an_unknown_id_is_refused_in_one_line(facts: Path, command: list[str]) -> None:
    """An id no record has: exit 2, one line, the nearest ids if any, nothing written."""
    before = snapshot(facts.parent)
    code, stdout, stderr = kb(facts, *command)
    assert code == 2
    assert stdout == ""
    assert stderr.startswith("kb: no record has the id 'q-nowhere'")
    assert len(stderr.splitlines()) == 1
    assert snapshot(facts.parent) == before


def test_an_id_in_capitals_finds_the_record(facts: Path) -> None:
    """Ids are lower case, but people type them in capitals too, as kb show allows."""
    code, _, stderr = kb(facts, "edit", QUOTE_ID.upper(), "--place", "Yevlakh")
    assert code == 0, stderr
    assert records(facts, "quotes")[QUOTE_ID]["place"] == "Yevlakh"


@pytest.mark.parametrize("command", ["edit", "remove"])
def test_the_built_in_base_is_read_only(invoke: Invoke, command: str) -> None:
    """Without --facts or KB_FACTS, edit and remove say how to name a base, exit 2."""
    before = FACTS.read_bytes()
    result = invoke(command, "q-putin-mediation", *(["--note", "x"] if command == "edit" else []))
    assert result.exit_code == 2
    assert "the built-in fact base is read-only" in result.stderr
    assert FACTS.read_bytes() == before


@pytest.mark.parametrize(
    "command",
    [
        ["edit", QUOTE_ID, "--date", "2023-09-22", "--dry-run"],
        ["remove", QUOTE_ID, "--dry-run"],
        ["remove", SOURCE_ID, "--dry-run"],
        ["edit", SOURCE_ID, "--text", "CORRECTED", "--dry-run"],
    ],
)
def test_a_dry_run_shows_the_change_and_writes_nothing(facts: Path, command: list[str]) -> None:
    """--dry-run lists what would change (or why not) and leaves every file as it was."""
    corrected = facts.parent / "corrected.txt"
    corrected.write_text(ARTICLE.replace("said nothing at all", "said nothing"), "utf-8")
    before = snapshot(facts.parent)
    code, stdout, stderr = kb(
        facts, *[str(corrected) if arg == "CORRECTED" else arg for arg in command]
    )
    assert snapshot(facts.parent) == before
    if command[1] == SOURCE_ID and command[0] == "remove":
        assert code == 2
        assert f"{SOURCE_ID} is still named by ivana-testova (source)" in stderr
        return
    assert code == 0, stderr
    assert "dry run: " in stderr
    assert stdout.split("\t")[2] in (QUOTE_ID, SOURCE_ID)


def test_edit_and_remove_give_json(facts: Path) -> None:
    """--json lists the changes as objects, as kb diff --json does."""
    code, stdout, _ = kb(facts, "edit", QUOTE_ID, "--place", "Yevlakh", "--json")
    assert code == 0
    assert json.loads(stdout) == [
        {"change": "changed", "kind": "quote", "id": QUOTE_ID, "field": "place", "old": None,
         "new": "Yevlakh"}
    ]  # fmt: skip
    code, stdout, _ = kb(facts, "remove", QUOTE_ID, "--json")
    assert code == 0
    [removed] = json.loads(stdout)
    assert (removed["change"], removed["id"], removed["old"]["place"]) == (
        "removed",
        QUOTE_ID,
        "Yevlakh",
    )


def test_the_same_value_again_writes_nothing(facts: Path) -> None:
    """An edit that changes nothing says so, exit 0, and leaves the file alone."""
    before = facts.read_bytes()
    code, stdout, stderr = kb(facts, "edit", QUOTE_ID, "--date", "2023-09-21")
    assert code == 0
    assert stdout == ""
    assert "already has these values; nothing written" in stderr
    assert facts.read_bytes() == before


def test_remove_is_refused_while_records_name_it(facts: Path) -> None:
    """A person a quote is said by and an event names: refused, naming both, nothing written."""
    before = snapshot(facts.parent)
    code, stdout, stderr = kb(facts, "remove", "anton-kerbel")
    assert code == 2
    assert stdout == ""
    assert stderr == (
        f"kb: anton-kerbel is still named by {QUOTE_ID} (speaker), {EVENT_ID} (actors); "
        "edit or remove them first; nothing removed\n"
    )
    assert snapshot(facts.parent) == before


def test_remove_unlink_drops_the_id_from_lists(facts: Path) -> None:
    """--unlink takes a person out of the actors naming them, in the same write."""
    assert kb(facts, "remove", QUOTE_ID)[0] == 0
    code, _, stderr = kb(facts, "remove", "anton-kerbel")
    assert code == 2
    assert "--unlink drops it from those lists" in stderr
    code, stdout, stderr = kb(facts, "remove", "anton-kerbel", "--unlink")
    assert code == 0, stderr
    assert "anton-kerbel" not in records(facts, "people")
    assert records(facts, "events")[EVENT_ID]["actors"] == ["ivana-testova"]
    assert "changed\tevent\te-talks-opened-thursday\tactors\t" in stdout
    assert kb(facts, "validate")[0] == 0


def test_remove_a_quote_leaves_the_rest_as_it_was(facts: Path) -> None:
    """The record goes, every other record stays byte for byte in its place."""
    before = json.loads(facts.read_text(encoding="utf-8"))
    code, stdout, stderr = kb(facts, "remove", QUOTE_ID)
    assert code == 0, stderr
    after = json.loads(facts.read_text(encoding="utf-8"))
    assert after["quotes"] == []
    assert {key: value for key, value in after.items() if key != "quotes"} == {
        key: value for key, value in before.items() if key != "quotes"
    }
    assert stdout.startswith(f"removed\tquote\t{QUOTE_ID}\t")
    assert f"removed quote {QUOTE_ID} from {facts}" in stderr


def test_removing_a_source_removes_its_archive(tmp_path: Path) -> None:
    """A source nothing cites goes, and its archived text with it."""
    facts = make_base(tmp_path, with_people=False)
    archive = tmp_path / ARCHIVE
    assert archive.is_file()
    code, _, stderr = kb(facts, "remove", SOURCE_ID)
    assert code == 0, stderr
    assert not archive.exists()
    assert f"removed {archive}" in stderr
    assert json.loads(facts.read_text(encoding="utf-8"))["sources"] == []


def test_a_corrected_text_is_archived_again(facts: Path) -> None:
    """edit SOURCE --text FILE copies the text over the archive and renews its SHA-256;
    kb validate is then clean, and only the source's sha256 line changed in the base."""
    corrected = ARTICLE.replace("said nothing at all", "said nothing").encode()
    (facts.parent / "corrected.txt").write_bytes(corrected)
    before = facts.read_text(encoding="utf-8").splitlines()
    code, stdout, stderr = kb(
        facts, "edit", SOURCE_ID, "--text", str(facts.parent / "corrected.txt")
    )
    assert code == 0, stderr
    assert (facts.parent / ARCHIVE).read_bytes() == corrected
    sha = hashlib.sha256(corrected).hexdigest()
    assert records(facts, "sources")[SOURCE_ID]["archive"]["sha256"] == sha
    after = facts.read_text(encoding="utf-8").splitlines()
    assert [line for line in after if line not in before] == [f'        "sha256": "{sha}"']
    assert stdout.startswith(f"changed\tsource\t{SOURCE_ID}\tarchive\t")
    assert f"all 5 excerpt(s) citing {SOURCE_ID} stand in the new text" in stderr
    assert kb(facts, "validate")[0] == 0


def test_an_archive_corrected_in_place_is_archived_again(facts: Path) -> None:
    """The fix kb validate names for a changed archive: edit SOURCE --text ARCHIVE."""
    archive = facts.parent / ARCHIVE
    archive.write_text(ARTICLE.replace("said nothing at all", "said nothing"), encoding="utf-8")
    code, stdout, _ = kb(facts, "validate")
    assert code == 1
    assert f"kb --facts PATH edit {SOURCE_ID} --text {archive}" in stdout
    code, _, stderr = kb(facts, "edit", SOURCE_ID, "--text", str(archive))
    assert code == 0, stderr
    assert kb(facts, "validate")[0] == 0


def test_a_corrected_text_losing_excerpts_is_refused(facts: Path) -> None:
    """A text that drops a sentence excerpts stand in is refused, naming the records; the
    archive and the base are left byte for byte."""
    (facts.parent / "corrected.txt").write_text(
        ARTICLE.replace("Nothing is settled yet", "All is settled"), encoding="utf-8"
    )
    before = snapshot(facts.parent)
    code, _, stderr = kb(facts, "edit", SOURCE_ID, "--text", str(facts.parent / "corrected.txt"))
    assert code == 2
    assert stderr == (
        f"kb: --text: the new text does not hold the excerpt of anton-kerbel and {QUOTE_ID}; correct the text, "
        "or edit those records' --excerpt first; nothing written\n"
    )
    assert snapshot(facts.parent) == before


def test_a_text_that_is_not_utf8_is_refused(facts: Path) -> None:
    """The corrected text must be UTF-8, as kb add source requires."""
    (facts.parent / "latin1.txt").write_bytes(b"Talks in Yevlakh \xe9")
    before = snapshot(facts.parent)
    code, _, stderr = kb(facts, "edit", SOURCE_ID, "--text", str(facts.parent / "latin1.txt"))
    assert code == 2
    assert "--text: the text is not UTF-8" in stderr
    assert snapshot(facts.parent) == before


def test_every_option_of_kb_edit_sets_a_field_of_some_kind() -> None:
    """kb edit's options are the model's fields (tests/test_model.py's kinds), none missing,
    none extra: a field added to the model is a failing test until edit takes it."""
    import typer

    command = typer.main.get_command(app).get_command(None, "edit")  # type: ignore[attr-defined]
    declared = {
        opt
        for param in command.params
        if param.param_type_name == "option"
        for opt in param.opts
        if opt not in ("--dry-run", "--format", "-f", "--json", "--facts", "--help", "-h")
    }
    flags = {"--title-supplied", "--quoted"}
    assert declared - {"--title-printed", "--not-quoted"} == set(editing.EDIT_OPTIONS)
    assert flags <= declared


@pytest.mark.parametrize("command", ["edit", "remove"])
def test_help_ends_with_examples_and_the_readme_documents_it(invoke: Invoke, command: str) -> None:
    """Each command's help ends with two real examples, and the README documents it."""
    result = invoke(command, "--help")
    assert result.exit_code == 0
    tail = result.stdout.strip().splitlines()[-3:]
    assert sum("$ kb " in line for line in tail) == 2
    assert f"kb {command}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_a_change_that_breaks_another_record_names_it(facts: Path) -> None:
    """A name another person has is refused with that person's id, in the option's words."""
    before = snapshot(facts.parent)
    code, _, stderr = kb(facts, "edit", "anton-kerbel", "--name", "Ivana Testova")
    assert code == 2
    assert stderr == (
        "kb: --name: 'Ivana Testova' already names 'ivana-testova'; nothing written\n"
    )
    assert snapshot(facts.parent) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "ivana testova"], "--name: 'ivana testova' already names ivana-testova"),
        (["--name", "Olaf Brandt", "--alias", "Mr. Kerbel"], "--alias: 'Mr. Kerbel' already names anton-kerbel"),
    ],
)  # fmt: skip
def test_adding_a_person_twice_is_refused_in_the_options_words(
    facts: Path, args: list[str], message: str
) -> None:
    """A name or alias another person has: refused naming the option and the person, never
    people[2] or the id kb would have made."""
    before = snapshot(facts.parent)
    code, _, stderr = kb(facts, "add", "person", *args, "--role", "r", "--source", SOURCE_ID)
    assert code == 2
    assert stderr == f"kb: {message} (kb edit {message.split()[-1]} changes it); nothing written\n"
    assert snapshot(facts.parent) == before


def test_a_person_needs_no_role(facts: Path) -> None:
    """In a pipe kb add person asks only for what the model requires: the role may be left out."""
    code, _, stderr = kb(facts, "add", "person", "--name", "Olaf Brandt", "--source", SOURCE_ID)
    assert code == 0, stderr
    assert records(facts, "people")["olaf-brandt"]["role"] is None


def test_a_lost_excerpt_is_asked_for_and_in_a_pipe_named(facts: Path) -> None:
    """A new name the archive does not hold needs --excerpt: in a pipe kb says so, exit 2."""
    before = snapshot(facts.parent)
    code, _, stderr = kb(facts, "edit", "anton-kerbel", "--name", "Anton Kerbelov", "--alias", "")
    assert code == 2
    assert stderr == (
        f"kb: missing --excerpt: neither the name nor an alias stands in the archived text of "
        f"{SOURCE_ID}\n"
    )
    assert snapshot(facts.parent) == before


def test_init_asks_git_to_ignore_the_lock_file(tmp_path: Path, invoke: Invoke) -> None:
    """kb init writes a .gitignore for the lock file a write leaves, and keeps one that is there."""
    result = invoke("init", str(tmp_path / "new"))
    assert result.exit_code == 0, result.stderr
    assert ".*.lock" in (tmp_path / "new" / ".gitignore").read_text(encoding="utf-8").splitlines()
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    assert invoke("init", str(tmp_path / "own")).exit_code == 0
    assert (tmp_path / "own" / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n"


def test_a_folder_kb_init_made_is_a_base_for_facts(tmp_path: Path, invoke: Invoke) -> None:
    """kb init my-base, then --facts my-base: the folder stands for its facts.json."""
    assert invoke("init", str(tmp_path / "my-base")).exit_code == 0
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = invoke(
        "--facts", str(tmp_path / "my-base"), "add", "source", "--title", "Talks open",
        "--publisher", "Ruritania Times", "--date", "2023-09-21", "--text", str(tmp_path / "a.txt"),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (
        records(tmp_path / "my-base" / "facts.json", "sources")[SOURCE_ID]["title"] == "Talks open"
    )
    result = invoke("sources", "--facts", str(tmp_path / "my-base"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(f"\t{SOURCE_ID}\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--language", "fr FR"], "--language: expected a BCP 47 language tag, e.g. en, fr or "
         "pt-BR. Got 'fr FR'"),
        (["--translation", "machine"], "--translation: a translation needs translated_from"),
        (["--translated-from", "en"], "--translated-from: must differ from the text's own language"),
        (["--text", "/nonexistent/corrected.txt"], "--text: cannot read /nonexistent/corrected.txt"),
    ],
)  # fmt: skip
def test_a_refused_source_edit_names_the_option(facts: Path, args: list[str], message: str) -> None:
    """A source's fields are checked as the model checks them, in the option's words."""
    before = snapshot(facts.parent)
    code, _, stderr = kb(facts, "edit", SOURCE_ID, *args)
    assert code == 2
    assert stderr.startswith(f"kb: {message}"), stderr
    assert snapshot(facts.parent) == before
