"""Fault tests for the files kb reads and writes: a base written through its symbolic link, a
base that is a FIFO, a device or read-only refused before anything is read or made, and
archives and --text that are FIFOs, devices or sockets refused before a byte is read.

A regression here would hang on a FIFO or read a device without end: each test fails after
TIMEOUT seconds instead, and the reads without end run in a kb of their own whose memory is
capped."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest

from karabakh_cli import files, model
from karabakh_cli.base import archive
from tests.conftest import KB, SOURCE_ID, Invoke, installed_env, kb, make_base, run_captured

TIMEOUT = 20
ARCHIVE = Path("sources") / f"{SOURCE_ID}.txt"
ADD_PERSON = ("add", "person", "--name", "Olaf Brandt", "--role", "General", "--source", SOURCE_ID)


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A test blocked on a special file fails after TIMEOUT seconds, not the suite."""

    def hung(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"blocked for {TIMEOUT} s on a special file")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    """A base with the invented article archived and two people."""
    return make_base(tmp_path)


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every name in ``folder``, with its mode and, for a regular file, its bytes."""
    return {
        str(path.relative_to(folder)): (
            path.lstat().st_mode,
            path.read_bytes() if stat.S_ISREG(path.lstat().st_mode) else None,
        )
        for path in sorted(folder.rglob("*"))
    }


def bound_socket(path: Path) -> socket.socket:
    """A Unix socket bound at ``path``, named relative to its folder: an address is short."""
    server = socket.socket(socket.AF_UNIX)
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        server.bind(path.name)
    finally:
        os.chdir(here)
    return server


def test_an_add_through_a_symbolic_link_writes_the_file_it_names(facts: Path) -> None:
    """kb add on current.json -> facts.json writes facts.json, locked beside it; the link stays."""
    link = facts.with_name("current.json")
    link.symlink_to(facts.name)
    code, _, stderr = kb(link, *ADD_PERSON)
    assert code == 0, stderr
    assert link.is_symlink() and link.resolve() == facts
    assert b"Olaf Brandt" in facts.read_bytes()
    assert facts.with_name(".facts.json.lock").exists()
    assert not facts.with_name(".current.json.lock").exists()
    assert not list(facts.parent.glob(".*.tmp"))


def test_fmt_through_a_symbolic_link_reformats_the_file_it_names(facts: Path) -> None:
    """kb fmt link.json reformats the file the link names and keeps the link."""
    facts.write_text(facts.read_text(encoding="utf-8").replace("\n  ", "\n    "), encoding="utf-8")
    link = facts.with_name("link.json")
    link.symlink_to(facts.name)
    code, _, stderr = kb(link, "fmt", str(link))
    assert code == 0, stderr
    assert link.is_symlink()
    assert kb(facts, "fmt", "--check", str(facts))[0] == 0


def test_a_link_to_a_link_is_written_at_the_end(facts: Path) -> None:
    """Links through links: the file at the end of them gets the new version."""
    facts.with_name("middle.json").symlink_to(facts.name)
    first = facts.with_name("first.json")
    first.symlink_to("middle.json")
    code, _, stderr = kb(first, *ADD_PERSON)
    assert code == 0, stderr
    assert first.is_symlink() and facts.with_name("middle.json").is_symlink()
    assert b"Olaf Brandt" in facts.read_bytes()


def _fifo(folder: Path) -> Path:
    path = folder / "fifo.json"
    os.mkfifo(path)
    return path


def _fifo_through_a_link(folder: Path) -> Path:
    link = folder / "link.json"
    link.symlink_to(_fifo(folder).name)
    return link


def _socket(folder: Path) -> Path:
    path = folder / "socket.json"
    bound_socket(path)
    return path


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_fifo, "a FIFO (named pipe)"),
        (_fifo_through_a_link, "a FIFO (named pipe)"),
        (_socket, "a socket"),
        (lambda folder: Path("/dev/null"), "a character device"),
        (lambda folder: Path("/dev/stdin"), "not a regular file"),
    ],
    ids=["fifo", "link to a fifo", "socket", "device", "stdin"],
)
@pytest.mark.parametrize("command", [ADD_PERSON, ("fmt", "{base}")], ids=["add", "fmt"])
def test_a_base_that_is_not_a_regular_file_is_never_written(
    facts: Path, make: Callable[[Path], Path], kind: str, command: tuple[str, ...]
) -> None:
    """A FIFO, socket or device base: exit 3, one line saying what it is, nothing read or made."""
    base = make(facts.parent)
    before = snapshot(facts.parent)
    code, stdout, stderr = kb(base, *(part.format(base=base) for part in command))
    assert code == 3
    assert stdout == ""
    (line,) = stderr.splitlines()
    assert line.startswith(f"kb: {base}: it is ") and "not a regular file" in line
    assert kind in line
    assert snapshot(facts.parent) == before
    assert not base.with_name(f".{base.name}.lock").exists()


@pytest.mark.parametrize("command", [ADD_PERSON, ("fmt", "{base}")], ids=["add", "fmt"])
def test_a_read_only_base_is_refused_and_left_byte_for_byte(
    facts: Path, command: tuple[str, ...]
) -> None:
    """A base of mode 444: exit 3, one line naming it read-only; file and mode as they were."""
    facts.write_bytes(facts.read_bytes().replace(b"\n  ", b"\n    "))  # for fmt to rewrite
    facts.chmod(0o444)
    before = snapshot(facts.parent)
    code, _, stderr = kb(facts, *(part.format(base=facts) for part in command))
    assert code == 3
    assert (
        stderr == f"kb: {facts}: cannot write: the file is read-only (mode 444); nothing written\n"
    )
    assert snapshot(facts.parent) == before


def test_fmt_of_a_read_only_base_already_canonical_writes_nothing(facts: Path) -> None:
    """Nothing to rewrite, nothing refused: exit 0 and the file as it was."""
    facts.chmod(0o444)
    before = snapshot(facts.parent)
    code, _, stderr = kb(facts, "fmt", str(facts))
    assert code == 0, stderr
    assert stderr == "kb: 1 file(s) already canonical\n"
    assert snapshot(facts.parent) == before


def test_a_read_only_file_behind_a_link_is_refused(facts: Path) -> None:
    """The mode that counts is the file's the link names."""
    link = facts.with_name("current.json")
    link.symlink_to(facts.name)
    facts.chmod(0o444)
    before = facts.read_bytes()
    code, _, stderr = kb(link, *ADD_PERSON)
    assert code == 3
    assert "read-only (mode 444)" in stderr
    assert facts.read_bytes() == before


def _archive_fifo(path: Path) -> None:
    os.mkfifo(path)


def _archive_socket(path: Path) -> None:
    bound_socket(path)


def _archive_device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")


SPECIAL_ARCHIVES = [
    (_archive_fifo, "a FIFO (named pipe)"),
    (_archive_socket, "a socket"),
    (_archive_device, "a character device"),
]
SPECIAL_IDS = ["fifo", "socket", "device"]


@pytest.mark.parametrize(("make", "kind"), SPECIAL_ARCHIVES, ids=SPECIAL_IDS)
def test_an_archive_that_is_a_special_file_is_an_error_of_validate(
    facts: Path, make: Callable[[Path], None], kind: str
) -> None:
    """kb validate names the archive and what it is, as for any unusable archive: exit 1."""
    (facts.parent / ARCHIVE).unlink()
    make(facts.parent / ARCHIVE)
    code, stdout, _ = kb(facts, "validate", str(facts))
    assert code == 1
    assert f"{SOURCE_ID}.archive: {ARCHIVE.as_posix()} is {kind}, not a text file" in stdout


@pytest.mark.parametrize(("make", "kind"), SPECIAL_ARCHIVES, ids=SPECIAL_IDS)
def test_an_add_citing_a_special_archive_is_refused(
    facts: Path, make: Callable[[Path], None], kind: str
) -> None:
    """kb add quote against a FIFO, socket or device archive: exit 2 naming it; nothing written."""
    (facts.parent / ARCHIVE).unlink()
    make(facts.parent / ARCHIVE)
    before = facts.read_bytes()
    code, _, stderr = kb(
        facts,
        *("add", "quote", "--speaker", "Kerbel", "--text", "Nothing is settled yet"),
        *("--source", SOURCE_ID, "--date", "2023-09-21"),
    )
    assert code == 2
    assert f"{ARCHIVE.as_posix()} is {kind}, not a text file" in stderr
    assert facts.read_bytes() == before


def test_show_answers_without_the_context_of_a_fifo_archive(tmp_path: Path) -> None:
    """kb show still answers when the archive is a FIFO, and says why there is no context."""
    facts = make_base(tmp_path)
    code, stdout, stderr = kb(
        facts,
        *("add", "quote", "--speaker", "Kerbel", "--text", "Nothing is settled yet"),
        *("--source", SOURCE_ID, "--date", "2023-09-21", "--id", "q-x", "--format", "plain"),
    )
    assert code == 0, stderr
    (tmp_path / ARCHIVE).unlink()
    os.mkfifo(tmp_path / ARCHIVE)
    code, stdout, stderr = kb(facts, "show", "q-x", "--format", "plain")
    assert code == 0
    assert "Nothing is settled yet" in stdout
    assert "is a FIFO (named pipe), not a text file" in stderr


def test_a_fifo_left_where_a_new_archive_goes_is_not_read(facts: Path) -> None:
    """A FIFO at sources/ID.txt holds no text of the new source's: the next id is taken."""
    os.mkfifo(facts.parent / "sources" / "src-tass-2023-09-21.txt")
    text = facts.parent / "other.txt"
    text.write_text("The talks continue.\n", encoding="utf-8")
    code, _, stderr = kb(
        facts,
        *("add", "source", "--title", "Talks", "--publisher", "TASS", "--date", "2023-09-21"),
        *("--text", str(text), "--dry-run"),
    )
    assert code == 0, stderr
    assert "src-tass-2023-09-21-2" in stderr


def run_text(tmp_path: Path, facts: Path, text: str) -> tuple[int, str]:
    """The installed kb's add source --text TEXT, with at most 1 GiB of memory: exit code and
    stderr. A read without end fails fast for want of memory, never the machine."""
    add = (
        f"{KB} --facts {facts} add source --title Talks --publisher TASS "
        f"--date 2023-09-21 --text {text}"
    )
    result = run_captured(
        ["bash", "-c", f"ulimit -v 1048576; {add} </dev/null"],
        cwd=tmp_path,
        env=installed_env(),
        timeout=TIMEOUT,
    )
    return result.returncode, result.stderr


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("/dev/zero", "a character device"),
        ("/dev/urandom", "a character device"),
        ("/dev/stdin", "a character device"),
        ("fifo.txt", "a FIFO (named pipe)"),
        ("socket.txt", "a socket"),
    ],
)
def test_text_that_is_not_a_regular_file_is_refused_before_it_is_read(
    tmp_path: Path, facts: Path, text: str, kind: str
) -> None:
    """--text /dev/zero, a FIFO or a socket: exit 2 at once, one line saying what it is."""
    if text == "fifo.txt":
        os.mkfifo(tmp_path / text)
    if text == "socket.txt":
        bound_socket(tmp_path / text)
    before = snapshot(tmp_path)
    code, stderr = run_text(tmp_path, facts, text)
    assert code == 2, stderr
    assert (
        stderr
        == f"kb: --text: cannot read {text}: it is {kind}, not a regular file; nothing written\n"
    )
    assert snapshot(tmp_path) == before


def test_a_read_is_counted_as_it_reads(tmp_path: Path) -> None:
    """A regular file whose size says nothing (/proc) or that is over the limit is cut off there."""
    assert files.read_regular(Path("/proc/self/status"), 100_000).startswith(b"Name:")
    with pytest.raises(files.TooLarge):
        files.read_regular(Path("/proc/self/status"), 10)
    exact = tmp_path / "ten.txt"
    exact.write_bytes(b"0123456789")
    assert files.read_regular(exact, 10) == b"0123456789"
    with pytest.raises(files.TooLarge):
        files.read_regular(exact, 9)


def test_an_archive_in_a_folder_of_devices_is_not_read() -> None:
    """read_text refuses a device its path leads to, even inside the base's folder."""
    entry = model.Archive(path="null", sha256=hashlib.sha256(b"").hexdigest())
    with pytest.raises(archive.ArchiveError, match="null is a character device, not a text file"):
        archive.read_text(Path("/dev"), entry)


def test_a_picture_is_written_through_a_link_and_never_over_a_fifo(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--html link.html writes the file the link names; --html onto a FIFO is refused, exit 2."""
    monkeypatch.chdir(tmp_path)
    Path("page.html").write_text("old", encoding="utf-8")
    Path("link.html").symlink_to("page.html")
    os.mkfifo("fifo.html")
    assert invoke("terms", "--html", "link.html").exit_code == 0
    assert Path("link.html").is_symlink()
    assert Path("page.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = invoke("terms", "--html", "fifo.html")
    assert result.exit_code == 2
    assert "cannot save fifo.html: it is a FIFO (named pipe), not a regular file" in result.stderr
    assert result.stdout == ""
    assert stat.S_ISFIFO(Path("fifo.html").lstat().st_mode)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "fifo.html",
        "link.html",
        "page.html",
    ]


def test_a_picture_never_replaces_a_device(tmp_path: Path) -> None:
    """put_atomically refuses a device node (/dev/null's numbers) rather than replace it."""
    node = tmp_path / "null"
    _archive_device(node)
    with pytest.raises(files.NotRegular, match="character device"):
        files.put_atomically(node, b"x")
    assert stat.S_ISCHR(node.lstat().st_mode)
    assert [path.name for path in tmp_path.iterdir()] == ["null"]


def test_an_export_never_replaces_a_fifo(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb export sqlite onto a FIFO: exit 2 naming it, and the FIFO is still there, alone."""
    monkeypatch.chdir(tmp_path)
    os.mkfifo("out.db")
    result = invoke("export", "sqlite", "out.db")
    assert result.exit_code == 2
    assert "cannot write out.db: it is a FIFO (named pipe), not a regular file" in result.stderr
    assert stat.S_ISFIFO(Path("out.db").lstat().st_mode)
    assert [path.name for path in tmp_path.iterdir()] == ["out.db"]
