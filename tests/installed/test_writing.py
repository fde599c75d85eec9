"""The installed kb writing as curators and their scripts do: at once, killed, on a terminal."""

from __future__ import annotations

import json
import os
import pty
import random
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import KB, SOURCE_ID, bench_generator, installed_env, make_base
from tests.installed.conftest import read_terminal


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KB), *args],
        cwd=cwd,
        env=installed_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp")) + sorted(folder.glob("sources/.*.tmp"))


def test_eight_writers_at_once_all_land(tmp_path: Path) -> None:
    """Eight kb add started together: every one exits 0 and every record is in the base."""
    facts = make_base(tmp_path)
    writers = [
        subprocess.Popen(
            [
                str(KB),
                "--facts",
                str(facts),
                "add",
                "event",
                "--date",
                f"2023-09-{day}",
                "--text",
                "Talks open",
                "--source",
                SOURCE_ID,
                "--excerpt",
                "The talks opened on Thursday.",
                "--json",
            ],
            cwd=tmp_path,
            env=installed_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for day in range(10, 18)
    ]
    outcomes = [writer.communicate(timeout=120) for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * 8, outcomes
    events = json.loads(facts.read_bytes())["events"]
    assert sorted(event["date"] for event in events) == [f"2023-09-{day}" for day in range(10, 18)]
    ids = {event["id"] for event in events}
    assert ids == {"e-talks-open"} | {f"e-talks-open-{n}" for n in range(2, 9)}
    assert run("validate", str(facts), cwd=tmp_path).returncode == 0
    assert temporaries(tmp_path) == []


def test_a_writer_killed_at_any_moment_leaves_old_or_new(tmp_path: Path) -> None:
    """kill -9 at random moments of adds to a large base: the file always loads with the old or
    the new record count, and the next write leaves no temporary file."""
    facts = tmp_path / "facts.json"
    facts.write_text(
        json.dumps(bench_generator().generate(8000), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    rng = random.Random(13)
    count = len(json.loads(facts.read_bytes())["sources"])
    for attempt in range(6):
        text = tmp_path / f"report-{attempt}.txt"
        text.write_text(f"Report number {attempt}. It says little.", encoding="utf-8")
        writer = subprocess.Popen(
            [
                str(KB),
                "--facts",
                str(facts),
                "add",
                "source",
                "--title",
                f"Report {attempt}",
                "--publisher",
                "Wire",
                "--date",
                "2023",
                "--text",
                str(text),
            ],
            cwd=tmp_path,
            env=installed_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.5))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        now = len(json.loads(facts.read_bytes())["sources"])
        assert now in (count, count + 1)
        count = now
    last = tmp_path / "last.txt"
    last.write_text("The last report.", encoding="utf-8")
    result = run(
        "--facts", str(facts), "add", "source", "--title", "Last", "--publisher", "Wire",
        "--date", "2023", "--text", str(last), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert temporaries(tmp_path) == []
    assert len(json.loads(facts.read_bytes())["sources"]) == count + 1
    assert run("validate", str(facts), cwd=tmp_path).returncode == 0


def on_terminal(args: list[str], answers: list[tuple[bytes, bytes]], cwd: Path) -> tuple[int, str]:
    """Run the installed kb on a pseudo-terminal, answering each prompt; exit code and screen."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execve(str(KB), [str(KB), *args], installed_env())
    seen = bytearray()
    try:
        for prompt, answer in answers:
            read_terminal(fd, seen, until=prompt)
            del seen[:]
            os.write(fd, answer + b"\n")
        read_terminal(fd, seen)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_a_terminal_is_asked_for_what_is_missing(tmp_path: Path) -> None:
    """On a terminal kb add prompts for each missing field, then writes the record."""
    facts = make_base(tmp_path)
    code, screen = on_terminal(
        ["--facts", str(facts), "add", "quote", "--speaker", "Kerbel"],
        [
            (b"Text: ", b"Nothing is settled yet"),
            (b"Source: ", SOURCE_ID.encode()),
            (b"Date: ", b"2023-09-21"),
        ],
        tmp_path,
    )
    assert code == 0, screen
    assert "added quote q-kerbel-nothing-settled-yet" in screen
    quotes = json.loads(facts.read_bytes())["quotes"]
    assert [quote["id"] for quote in quotes] == ["q-kerbel-nothing-settled-yet"]


def test_a_terminal_is_asked_for_an_excerpt_kb_cannot_find(tmp_path: Path) -> None:
    """An event in the curator's words: on a terminal kb asks for its excerpt and checks it."""
    facts = make_base(tmp_path)
    code, screen = on_terminal(
        ["--facts", str(facts), "add", "event", "--date", "2023-09-21", "--source", SOURCE_ID],
        [(b"Text: ", b"Talks open in Yevlakh"), (b"Excerpt: ", b"The talks opened on Thursday.")],
        tmp_path,
    )
    assert code == 0, screen
    events = json.loads(facts.read_bytes())["events"]
    assert events[0]["excerpt"] == "The talks opened on Thursday."


def test_init_add_fmt_and_diff_from_outside_the_repository(tmp_path: Path) -> None:
    """The installed kb makes a base, adds to it, keeps it canonical and shows the change."""
    (tmp_path / "article.txt").write_text(
        "The offensive began on Tuesday. “We will not stop,” Minister Arev said.", encoding="utf-8"
    )
    steps = [
        ("init", "base"),
        (
            "--facts",
            "base/facts.json",
            "add",
            "source",
            "--title",
            "Offensive",
            "--publisher",
            "Daily",
            "--date",
            "2023-09-19",
            "--text",
            "article.txt",
        ),
        (
            "--facts",
            "base/facts.json",
            "add",
            "person",
            "--name",
            "Minister Arev",
            "--role",
            "Minister",
            "--source",
            "src-daily-2023-09-19",
        ),
    ]
    for step in steps:
        result = run(*step, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    before = tmp_path / "before.json"
    before.write_bytes((tmp_path / "base" / "facts.json").read_bytes())
    result = run(
        "--facts", "base/facts.json", "add", "quote", "--speaker", "arev", "--text",
        "We will not stop", "--source", "src-daily-2023-09-19", "--date", "2023-09-19", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["excerpt"] == "“We will not stop,” Minister Arev said."
    assert run("fmt", "--check", "base/facts.json", cwd=tmp_path).returncode == 0
    diff = run("diff", "before.json", "base/facts.json", "--format", "csv", cwd=tmp_path)
    assert diff.returncode == 1
    assert diff.stdout.splitlines()[1].startswith("added,quote,q-arev-not-stop")


def test_a_refused_write_leaves_the_file_byte_for_byte(tmp_path: Path) -> None:
    """Installed: a quote not in the source is refused with one line, exit 2, file untouched."""
    facts = make_base(tmp_path)
    before = facts.read_bytes()
    result = run(
        "--facts", str(facts), "add", "quote", "--speaker", "Testova", "--text",
        "We have lost", "--source", SOURCE_ID, "--date", "2023", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert facts.read_bytes() == before
    assert temporaries(tmp_path) == []
