"""A cache kb may not trust, as ssh refuses keys in a folder others may write: a cache folder
others may write in, or another user's, is refused (one line, the answer all the same, without
the index); an index file that is another user's, or that others may write, is built again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from karabakh_cli.index import location, reader
from tests.conftest import Invoke
from tests.index.conftest import NAME, answers

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away takes root")


def _built(path: Path) -> Path:
    assert answers(path, "quote", NAME)[0] == 0
    file = location.location(path)
    assert file is not None and file.is_file()
    return file


@pytest.mark.parametrize("folder", ["kb", "kb/index"])
def test_a_cache_folder_others_may_write_in_is_refused(
    invoke: Invoke, small_indexed: Path, cache: Path, folder: str
) -> None:
    """With kb's cache folder (or its index folder) mode 777, kb answers without the index
    and says why in one line; kb index says so too and exits 1."""
    expected = answers(small_indexed, "quote", NAME)
    (cache / folder).chmod(0o777)
    result = invoke("--facts", str(small_indexed), "quote", NAME, "--format", "plain")
    assert result.exit_code == 0
    assert result.stdout == expected[1]
    assert result.stderr.splitlines() == [
        f"kb: no index for {small_indexed}: {cache / folder} is a folder others may write in"
        " (mode 777); answering without it"
    ]
    described = invoke("--facts", str(small_indexed), "index")
    assert described.exit_code == 1
    assert "others may write in" in described.stderr


@as_root
def test_a_cache_folder_of_another_user_is_refused(invoke: Invoke, small_indexed: Path) -> None:
    """kb's cache folder owned by another uid: refused in one line, the answer given."""
    file = _built(small_indexed)
    os.chown(file.parent, 4242, -1)
    result = invoke("--facts", str(small_indexed), "quote", NAME, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["speaker"]["id"] == "p-3"
    assert result.stderr.splitlines() == [
        f"kb: no index for {small_indexed}: {file.parent} is owned by uid 4242, not by you"
        f" (uid {os.geteuid()}); answering without it"
    ]


def test_a_group_writable_index_is_not_believed(small_indexed: Path) -> None:
    """An index file others may write is not read; the next lookup replaces it with one only
    the user may read and write."""
    file = _built(small_indexed)
    file.chmod(0o664)
    assert reader.Index.open(small_indexed, small_indexed.stat()) is None
    assert answers(small_indexed, "quote", NAME)[0] == 0
    assert file.stat().st_mode & 0o777 == 0o600
    assert reader.Index.open(small_indexed, small_indexed.stat()) is not None


@as_root
def test_an_index_of_another_user_is_not_believed(small_indexed: Path) -> None:
    """An index file another uid owns (swapped in through a shared cache) is not read."""
    file = _built(small_indexed)
    os.chown(file, 4242, -1)
    assert reader.Index.open(small_indexed, small_indexed.stat()) is None
    assert answers(small_indexed, "quote", NAME)[0] == 0
    assert file.stat().st_uid == os.geteuid()


def test_kbs_folders_are_the_users_alone(small_indexed: Path, cache: Path) -> None:
    """The folders kb makes for its cache, and the index, only the user may write (and read)."""
    file = _built(small_indexed)
    modes = [path.stat().st_mode & 0o777 for path in (cache / "kb", file.parent, file)]
    assert modes == [0o700, 0o700, 0o600]
