"""Arguments no file or output can hold, and paths the file system refuses: one line naming
them and the documented exit code, never a traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import KB, SOURCE_ID, Invoke, installed_env, make_base, run_captured

LONG_NAME = "a" * 300


def test_the_installed_kb_refuses_an_argument_that_is_not_utf8(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 in kb add's --name: exit 2, one line naming the argument."""
    facts = make_base(tmp_path)
    before = facts.read_bytes()
    # The surrogate is how Python names the byte 0xff it cannot decode; it passes it on as is.
    name = "Ivana \udcff Testova"
    command = [str(KB), "--facts", str(facts), "add", "person", "--name", name]
    result = run_captured(
        [*command, "--role", "r", "--source", SOURCE_ID], cwd=tmp_path, env=installed_env()
    )
    assert result.returncode == 2
    assert result.stderr == (
        "kb: argument 6 (Ivana \\xff Testova, after --name) is not UTF-8 text; "
        "kb takes its arguments as UTF-8\n"
    )
    assert facts.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["add", "quote", "--speaker", "Kerbel", "--text", "Nothing \udcff settled"],
        ["quote", "Put\udce9n"],
        ["--facts", "\udcff.json", "terms"],
        ["init", "\udcff.json"],
    ],
    ids=["add", "quote", "--facts", "init"],
)
def test_an_argument_that_is_not_utf8_is_a_usage_error(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Any command: exit 2 and one line showing the bytes, before anything is read or made."""
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert "is not UTF-8 text" in line and "\\x" in line
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_kb_facts_that_is_not_utf8_is_a_usage_error(invoke: Invoke) -> None:
    """KB_FACTS holding bytes that are not UTF-8: exit 2, one line naming KB_FACTS."""
    result = invoke("terms", env={"KB_FACTS": "\udcfe.json"})
    assert result.exit_code == 2
    assert (
        result.stderr
        == "kb: KB_FACTS (\\xfe.json) is not UTF-8 text; kb takes its arguments as UTF-8\n"
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["init", f"{LONG_NAME}.json"], 3),
        (["init", f"folder/{LONG_NAME}"], 3),
        (["fmt", f"{LONG_NAME}.json"], 3),
        (["--facts", f"{LONG_NAME}.json", "terms"], 3),
        (["terms", "--html", f"{LONG_NAME}.html"], 2),
        (["terms", "--svg", f"{LONG_NAME}.svg"], 2),
    ],
    ids=["init", "init folder", "fmt", "--facts", "--html", "--svg"],
)
def test_a_name_too_long_is_one_line_naming_it(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], code: int
) -> None:
    """A 300-character file name: one line naming the path and 'File name too long'."""
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == code, result.stderr
    (line,) = result.stderr.splitlines()
    assert LONG_NAME in line and "File name too long" in line
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert sorted(path.name for path in tmp_path.iterdir()) in ([], ["folder"])
