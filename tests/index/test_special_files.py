"""Whatever is in the index's place, a lookup answers and never waits: a FIFO is not opened to
be read, a link is not followed, a folder is reported; kb index --clear names what it cannot
remove in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from karabakh_cli.base.problems import FactBaseError
from karabakh_cli.index import location, reader
from tests.conftest import KB, STABLE_ENV, Invoke, installed_env, run_captured
from tests.index.conftest import NAME, answers


def _place(path: Path) -> Path:
    file = location.location(path)
    assert file is not None
    location.make_folder(file)
    return file


def test_a_fifo_in_the_index_place_never_hangs(large: Path, cache: Path) -> None:
    """The installed kb with a FIFO where the index goes answers (the FIFO replaced by an
    index) within the time limit, where it used to wait for a writer for ever."""
    env = installed_env(**STABLE_ENV, XDG_CACHE_HOME=str(cache))
    file = _place(large)
    os.mkfifo(file)
    command = [str(KB), "--facts", str(large), "quote", NAME, "--format", "plain"]
    result = run_captured(command, cwd=cache.parent, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert file.is_file() and reader.Index.open(large, large.stat()) is not None


def test_a_link_in_the_index_place_is_not_followed(small_indexed: Path, tmp_path: Path) -> None:
    """A symbolic link where the index goes is never read through; it is replaced, and what
    it pointed at is left as it was."""
    expected = answers(small_indexed, "quote", NAME)
    file = _place(small_indexed)
    target = tmp_path / "elsewhere.sqlite"
    target.write_bytes(b"someone else's file")
    file.unlink()
    file.symlink_to(target)
    assert reader.Index.open(small_indexed, small_indexed.stat()) is None
    assert answers(small_indexed, "quote", NAME) == expected
    assert not file.is_symlink()
    assert target.read_bytes() == b"someone else's file"


def test_a_folder_in_the_index_place_answers_with_one_line(
    invoke: Invoke, small_indexed: Path
) -> None:
    """A folder where the index goes: kb answers without the index, in one line."""
    file = _place(small_indexed)
    file.mkdir()
    result = invoke("--facts", str(small_indexed), "quote", NAME, "--json")
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"kb: no index for {small_indexed}: cannot write in {file.parent}")


def test_kb_index_clear_on_a_folder_in_its_place(invoke: Invoke, small_indexed: Path) -> None:
    """kb index --clear with a folder where the index goes names it in one line (exit 3)
    and leaves it, where it gave a traceback."""
    file = _place(small_indexed)
    file.mkdir()
    (file / "kept").write_text("mine", encoding="utf-8")
    result = invoke("--facts", str(small_indexed), "index", "--clear")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"kb: {file}: cannot remove the index: is a folder, not an index: kb leaves it to you"
    ]
    assert (file / "kept").read_text(encoding="utf-8") == "mine"


def test_kb_index_clear_on_an_index_it_may_not_remove(
    invoke: Invoke, small_indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb index --clear where the index cannot be removed (a folder the user may not write)
    says so in one line (exit 3), where it gave a traceback."""
    assert answers(small_indexed, "quote", NAME)[0] == 0
    file = location.location(small_indexed)
    assert file is not None

    def refused(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", refused)
    result = invoke("--facts", str(small_indexed), "index", "--clear")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [f"kb: {file}: cannot remove the index: Permission denied"]
    with pytest.raises(FactBaseError):
        location.clear(small_indexed)
