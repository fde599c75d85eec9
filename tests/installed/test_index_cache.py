"""The installed kb's index cache: eight runs building one index at once, the suite's indexes
kept out of the user's cache, and no cache at all without a home."""

from __future__ import annotations

import subprocess
from pathlib import Path

from karabakh_cli.index import location, reader
from tests.conftest import KB, STABLE_ENV, TEST_CACHE, bench_generator, installed_env, run_captured
from tests.index.conftest import NAME


def test_eight_installed_kb_at_once_on_a_fresh_cache(large: Path, cache: Path) -> None:
    """Eight kb runs started together, each building the index, all answer the same."""
    env = installed_env(**STABLE_ENV, XDG_CACHE_HOME=str(cache))
    expected = subprocess.run(
        [str(KB), "--facts", str(large), "quote", NAME, "--json"],
        env={**env, "XDG_CACHE_HOME": str(large)},  # a file: no index, the whole base read
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    runs = [
        subprocess.Popen(
            [str(KB), "--facts", str(large), "quote", NAME, "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cache.parent,
        )
        for _ in range(8)
    ]
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 8
    assert [out for out, _ in outcomes] == [expected] * 8
    assert [error for _, error in outcomes] == [""] * 8
    file = location.location(large)
    assert file is not None and reader.Index.open(large, large.stat()) is not None
    assert [path.name for path in file.parent.iterdir()] == [file.name]


def test_the_suite_keeps_its_indexes_out_of_the_users_cache(tmp_path: Path) -> None:
    """An index built by a kb the tests run lands in the test run's own cache, not ~/.cache."""
    big = bench_generator().write(2000, tmp_path / "bases")
    env = installed_env()
    result = run_captured(
        [str(KB), "--facts", str(big), "quote", "Putin", "--json"], cwd=tmp_path, env=env
    )
    assert result.returncode in (0, 1), result.stderr
    assert env["XDG_CACHE_HOME"] == TEST_CACHE
    built = location.location(big)
    assert built is not None and built.is_file()
    assert built.is_relative_to(TEST_CACHE)


def test_installed_kb_answers_with_no_home_and_a_relative_cache(tmp_path: Path) -> None:
    """The installed kb, with HOME unset and a relative XDG_CACHE_HOME, answers and writes
    nothing in the folder it runs from."""
    generator = bench_generator()
    large = generator.write(2000, tmp_path / "bases")
    env = installed_env(**STABLE_ENV, XDG_CACHE_HOME="cache")
    env.pop("HOME", None)
    work = tmp_path / "work"
    work.mkdir()
    result = run_captured(
        [str(KB), "--facts", str(large), "quote", generator.speaker_name(0), "--json"],
        cwd=work,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert list(work.iterdir()) == []
