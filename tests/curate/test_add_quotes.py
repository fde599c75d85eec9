"""kb add quotes and kb add --from: proposals written as jsonl in a pipe and taken back in one
transaction, refused whole with the input's line number, and the review on a terminal, where
nothing is written without the curator's word and quitting leaves the file byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from karabakh_cli.base import factbase
from karabakh_cli.cli.app import app
from tests.conftest import KB, REPO, STABLE_ENV, installed_env

ARTICLES = REPO / "tests" / "data" / "proposals"
FIRST = "src-ruritaniatimes-2023-09-21"
SECOND = "src-ruritaniatimes-2023-09-22"


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    """A copy of the test articles' base, to write to."""
    shutil.copytree(ARTICLES, tmp_path / "base")
    return tmp_path / "base" / "facts.json"


def run(facts: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, ["--facts", str(facts), *args], input=input, env=STABLE_ENV)


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_in_a_pipe_the_proposals_are_jsonl_with_text_excerpt_speaker_and_status(
    facts: Path,
) -> None:
    """One object per quotation, the fields documented, and a tally on stderr."""
    result = run(facts, "add", "quotes", "--source", FIRST)
    assert result.exit_code == 0, result.stderr
    found = lines(result.stdout)
    assert len(found) == 5
    for proposal in found:
        assert {"text", "excerpt", "speaker", "status", "form", "date", "date_from"} <= set(
            proposal
        )
    assert [p["status"] for p in found].count("unresolved") == 1
    assert "5 quotation(s): 4 new, 0 already in the base, 1 with no speaker named" in result.stderr


def test_the_pipe_round_trip_adds_what_was_proposed(facts: Path) -> None:
    """kb add quotes | kb add --from -: every named proposal added, a new person first."""
    proposed = run(facts, "add", "quotes", "--source", SECOND)
    assert proposed.exit_code == 0, proposed.stderr
    named = "".join(
        line + "\n" for line in proposed.stdout.splitlines() if '"unresolved"' not in line
    )
    added = run(facts, "add", "--from", "-", input=named)
    assert added.exit_code == 0, added.stderr
    assert "added 4 quotes to" in added.stderr
    problems = factbase.diagnose(facts.read_bytes(), facts.parent)
    assert [problem for problem in problems if problem.severity == "error"] == []
    again = run(facts, "add", "quotes", "--source", SECOND)
    statuses = [p["status"] for p in lines(again.stdout)]
    assert statuses.count("in-base") == 4


def test_a_new_person_is_added_with_the_role_the_text_gives(facts: Path) -> None:
    """Accepting Vardanyan's words adds him, with his role, before his quote."""
    proposed = lines(run(facts, "add", "quotes", "--source", FIRST).stdout)
    (vardanyan,) = [p for p in proposed if p["credited"] == "Ruben Vardanyan"]
    result = run(facts, "add", "--from", "-", input=json.dumps(vardanyan) + "\n")
    assert result.exit_code == 0, result.stderr
    base = json.loads(facts.read_text(encoding="utf-8"))
    person = base["people"][-1]
    assert (person["name"], person["role"]) == ("Ruben Vardanyan", "Region's former state minister")
    assert base["quotes"][-1]["speaker"] == person["id"]


def test_from_refuses_an_unresolved_speaker_naming_the_line_and_writes_nothing(
    facts: Path,
) -> None:
    """One unresolved proposal refuses the whole input, with its line number; exit 2."""
    before = facts.read_bytes()
    proposed = run(facts, "add", "quotes", "--source", FIRST).stdout
    result = run(facts, "add", "--from", "-", input=proposed)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--from line 5: the speaker is unresolved" in result.stderr
    assert facts.read_bytes() == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"source": "src-ruritaniatimes-2023-09-21", "speaker": "kerbel"}',
            "missing required field text",
        ),
        (
            '{"text": "Nothing is settled yet.", "speaker": "kerbel"}',
            "missing required field source",
        ),
        (
            '{"text": "Nothing is settled yet.", "source": "src-ruritaniatimes-2023-09-21", "speaker": "kerbel"}',
            "date is missing",
        ),
        ("not json", "not a JSON object"),
        (
            '{"text": "Everything is settled", "source": "src-ruritaniatimes-2023-09-21", "speaker": "kerbel", "date": "2023-09-21"}',
            "does not stand verbatim",
        ),
    ],
)
def test_from_refuses_a_bad_line_naming_its_number(facts: Path, line: str, message: str) -> None:
    """A missing field, a line that is not JSON, words not in the text: one line, exit 2."""
    before = facts.read_bytes()
    source = facts.parent / "in.jsonl"
    good = lines(run(facts, "add", "quotes", "--source", FIRST).stdout)[1]
    source.write_text(json.dumps(good) + "\n\n" + line + "\n", encoding="utf-8")
    result = run(facts, "add", "--from", str(source))
    assert result.exit_code == 2
    assert "--from line 3: " in result.stderr and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert facts.read_bytes() == before


def test_from_with_dry_run_shows_what_would_be_added_and_writes_nothing(facts: Path) -> None:
    """--dry-run lists the records, their ids made, and leaves the file as it was."""
    before = facts.read_bytes()
    proposed = lines(run(facts, "add", "quotes", "--source", SECOND).stdout)
    named = "".join(json.dumps(p) + "\n" for p in proposed if p["speaker"])
    result = run(facts, "add", "--from", "-", "--dry-run", input=named)
    assert result.exit_code == 0, result.stderr
    assert "dry run: 4 quotes not written" in result.stderr
    assert "q-testova-peace-within-reach" in result.stdout
    assert facts.read_bytes() == before


def test_from_leaves_out_proposals_already_in_the_base(facts: Path) -> None:
    """in-base lines are not added again, and stderr says how many were left out."""
    named = [
        p for p in lines(run(facts, "add", "quotes", "--source", SECOND).stdout) if p["speaker"]
    ]
    first = run(facts, "add", "--from", "-", input=json.dumps(named[0]) + "\n")
    assert first.exit_code == 0, first.stderr
    proposed = [
        p for p in lines(run(facts, "add", "quotes", "--source", SECOND).stdout) if p["speaker"]
    ]
    result = run(facts, "add", "--from", "-", input="".join(json.dumps(p) + "\n" for p in proposed))
    assert result.exit_code == 0, result.stderr
    assert "1 proposal(s) already in the base, left out" in result.stderr
    assert "added 3 quotes" in result.stderr


def test_quit_without_saving_leaves_the_file_byte_for_byte(facts: Path) -> None:
    """Accept one, edit a field of the next, skip one, quit and say no: nothing written."""
    before = facts.read_bytes()
    answers = "a\ne\nmedium\nremarks to reporters\ns\nq\nn\n"
    result = run(facts, "add", "quotes", "--source", FIRST, "--review", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "accepted (1 so far)" in result.stderr
    assert "remarks to reporters" in result.stdout
    assert "nothing written" in result.stderr
    assert facts.read_bytes() == before


def test_the_review_writes_what_was_accepted_in_one_transaction(facts: Path) -> None:
    """Accept, edit the medium and accept, skip the rest, then yes: two records and a person."""
    answers = "a\ne\nmedium\nremarks to reporters\na\ns\ns\ns\ny\n"
    result = run(facts, "add", "quotes", "--source", FIRST, "--review", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "added 1 person and 2 quotes" in result.stderr
    base = json.loads(facts.read_text(encoding="utf-8"))
    assert [quote["speaker"] for quote in base["quotes"]] == ["ruben-vardanyan", "ivana-testova"]
    assert base["quotes"][1]["medium"] == "remarks to reporters"


def test_the_review_refuses_to_accept_an_unresolved_speaker_until_edited(facts: Path) -> None:
    """The pronoun's proposal cannot be accepted; once the speaker is set it is asked again."""
    answers = "s\ns\ns\ns\na\ne\nspeaker\nkerbel\ne\nattribution\ninferred\ne\nnote\nShe is Kerbel's deputy.\nq\nn\n"
    result = run(facts, "add", "quotes", "--source", FIRST, "--review", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "cannot accept it: the text names nobody for it" in result.stderr


def test_the_review_shows_each_proposal_with_its_context_and_speaker(facts: Path) -> None:
    """The card names the speaker and the date's origin, and holds the sentences around."""
    result = run(facts, "add", "quotes", "--source", FIRST, "--review", input="s\ns\nq\n")
    assert result.exit_code == 0, result.stderr
    assert "Proposal 1 of 5: line 3 of src-ruritaniatimes-2023-09-21" in result.stdout
    assert "Ruben Vardanyan, Region's former state minister (a new person)" in result.stdout
    assert "2023-09-19 (the text says 'on Tuesday')" in result.stdout
    assert "Context" in result.stdout


def test_add_quotes_refuses_an_unknown_source_and_the_built_in_base(facts: Path) -> None:
    """An unknown id is a usage error naming the sources; the built-in base is read-only."""
    result = run(facts, "add", "quotes", "--source", "src-nope")
    assert result.exit_code == 2
    assert "no source has the id 'src-nope'" in result.stderr
    builtin = CliRunner().invoke(app, ["add", "quotes", "--source", "x"], env=STABLE_ENV)
    assert builtin.exit_code == 2
    assert "read-only" in builtin.stderr


def test_the_installed_kb_pipes_proposals_into_add_from(facts: Path, tmp_path: Path) -> None:
    """The installed kb, from a folder outside the repo: the round trip through a shell pipe."""
    kb = f"{KB} --facts {facts}"
    command = f"{kb} add quotes --source {SECOND} | grep -v unresolved | {kb} add --from -"
    done = subprocess.run(
        ["sh", "-c", command],
        cwd=tmp_path,
        env=installed_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "added 4 quotes" in done.stderr


@pytest.mark.parametrize("command", [["add", "quotes"], ["add"]])
def test_help_ends_with_real_examples_and_the_readme_names_the_commands(command: list[str]) -> None:
    """kb add quotes --help and kb add --help end with two examples; the README has both."""
    result = CliRunner().invoke(app, [*command, "--help"], env=STABLE_ENV)
    assert result.exit_code == 0
    tail = result.stdout.strip().splitlines()[-3:]
    assert sum("$ " in line and "kb " in line for line in tail) == 2
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "kb add quotes --source ID" in readme and "kb add --from FILE|-" in readme


def test_a_fragment_is_recorded_as_one_and_listings_mark_it(facts: Path) -> None:
    """ "complete “within a week”, according to …": form fragment in the file, ~ in the table."""
    proposed = lines(run(facts, "add", "quotes", "--source", FIRST).stdout)
    (brandt,) = [p for p in proposed if p["speaker"] == "olaf-brandt"]
    assert brandt["form"] == "fragment"
    assert run(facts, "add", "--from", "-", input=json.dumps(brandt) + "\n").exit_code == 0
    quote = json.loads(facts.read_text(encoding="utf-8"))["quotes"][-1]
    assert quote["form"] == "fragment"
    table = run(facts, "quote", "Brandt", "--format", "table")
    assert "within a week~" in table.stdout
    assert "~ a fragment the source quotes inside its own reported speech" in table.stdout


def test_a_direct_quotation_leaves_form_out_of_the_file(facts: Path) -> None:
    """The default stays out of the file, so bases written before the field are unchanged."""
    result = run(
        facts,
        *("add", "quote", "--speaker", "Kerbel", "--text", "Nothing is settled yet."),
        *("--source", FIRST, "--date", "2023-09-21"),
    )
    assert result.exit_code == 0, result.stderr
    assert "form" not in json.loads(facts.read_text(encoding="utf-8"))["quotes"][-1]
    fragment = run(
        facts,
        *("add", "quote", "--speaker", "Brandt", "--text", "within a week", "--fragment"),
        *("--source", FIRST, "--date", "2023-09-21"),
    )
    assert fragment.exit_code == 0, fragment.stderr
    assert json.loads(facts.read_text(encoding="utf-8"))["quotes"][-1]["form"] == "fragment"
