"""The derived index: answers equal to reading the base whole, never stale, never in the way."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karabakh_cli.base import factbase, integrity
from karabakh_cli.index import builder, loading, location, search
from karabakh_cli.lookup import queries
from karabakh_cli.output import views
from karabakh_cli.text import fold
from tests.conftest import FACTS, KB, STABLE_ENV, Invoke, bench_generator

NAME = "Davit Petrosyan 3"


@pytest.fixture
def large(tmp_path: Path, cache: Path) -> Path:
    """A 2,000-quote base (1.5 MB): large enough to be indexed."""
    path: Path = bench_generator().write(2000, tmp_path / "bases")
    return path


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the index fails as on a full disk."""

    def full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(builder.Builder, "add", full)


def count_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each time the integrity checks run: on a base read a batch at a time, or whole."""
    calls: list[int] = []

    def counting(real: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return real(*args, **kwargs)

        return counted

    monkeypatch.setattr(
        integrity.IntegrityChecker, "finish", counting(integrity.IntegrityChecker.finish)
    )
    monkeypatch.setattr(integrity, "integrity_problems", counting(integrity.integrity_problems))
    return calls


def quote_rows(facts: queries.LoadedBase, name: str) -> list[dict[str, Any]]:
    found = queries.quotes_by(facts, name, queries.Filters())
    listing = views.quotes_listing(facts, "", found.quotes)
    return [
        *listing.rows,
        {"speakers": [(match.person.id, match.score, match.matched) for match in found.speakers]},
        {"nearest": [(match.person.id, match.score, match.matched) for match in found.nearest]},
    ]


def timeline_rows(facts: queries.LoadedBase) -> list[dict[str, Any]]:
    return list(views.timeline_listing(facts, queries.timeline(facts, queries.Filters())).rows)


def terms_rows(facts: queries.LoadedBase) -> list[dict[str, Any]]:
    return list(views.terms_listing(facts).rows)


def disputes_rows(facts: queries.LoadedBase) -> list[dict[str, Any]]:
    return list(views.disputes_listing(facts, queries.disputes(facts)).rows)


def who_said_rows(facts: queries.LoadedBase, fragment: str) -> list[Any]:
    attribution = queries.who_said(facts, fragment, queries.Filters())
    rows = views.who_said_listing(facts, fragment, attribution.found).rows
    return [*rows, queries.refusal(facts, fragment, attribution)]


def show_rows(facts: queries.LoadedBase, record_id: str) -> list[dict[str, Any]]:
    found = queries.find_record(facts, record_id)
    assert found is not None
    return list(views.show_listing(facts, found[0], found[1], None).rows)


def people_listed(path: Path, *, indexed: bool) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """kb people's rows and the sources under its table, from the index or the whole base."""
    found = loading.Index.open(path, path.stat()) if indexed else None
    facts = found.facts(path, loading.Everyone()) if found else whole(path)
    assert facts is not None
    assert (facts.counted is not None) == indexed
    listing = views.people_listing(facts)
    rows = list(listing.rows)
    if found:
        found.close()
    return rows, views.cited_sources(facts, rows)


def indexed(path: Path, wanted: loading.Wanted) -> queries.LoadedBase:
    """The partial base the index gives, asserting it came from the index."""
    found = loading.Index.open(path, path.stat())
    assert found is not None
    facts = found.facts(path, wanted)
    found.close()
    assert facts is not None
    return facts


def whole(path: Path) -> queries.LoadedBase:
    return queries.LoadedBase(factbase.load(path), path)


def no_say(message: str) -> None:
    raise AssertionError(f"unexpected message: {message}")


def test_an_unchanged_large_base_is_checked_once(
    large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index stands for the clean verdict: the second load skips the integrity checks."""
    calls = count_checks(monkeypatch)
    loading.load(large, None, no_say)
    loading.load(large, None, no_say)
    assert len(calls) == 1


def test_lookups_from_the_index_equal_a_whole_read(large: Path) -> None:
    """quote, show, timeline, terms, disputes and people answer from the index exactly as
    from the whole base."""
    loading.load(large, None, no_say)
    for name in (NAME, "Petrosyn", "petrosyan", "Nobody Atall", "the"):
        assert quote_rows(indexed(large, loading.ByName(name)), name) == quote_rows(
            whole(large), name
        )
    assert timeline_rows(indexed(large, loading.WholeCollection("events"))) == timeline_rows(
        whole(large)
    )
    assert terms_rows(indexed(large, loading.WholeCollection("terms"))) == terms_rows(whole(large))
    assert disputes_rows(indexed(large, loading.Disputes())) == disputes_rows(whole(large))
    assert people_listed(large, indexed=True) == people_listed(large, indexed=False)
    for fragment in ("bilateral talks security mediation", "no celebration", "zzz qqq", "the"):
        assert who_said_rows(indexed(large, loading.ByFragment(fragment)), fragment) == (
            who_said_rows(whole(large), fragment)
        )
    for record_id in ("q-7", "Q-7", "p-3", "t-4", "e-9", "src-synthetic"):
        assert show_rows(indexed(large, loading.ById(record_id)), record_id) == show_rows(
            whole(large), record_id
        )


def test_an_id_no_record_has_is_left_to_the_whole_base(large: Path) -> None:
    """For an unknown id the index gives nothing, so the suggestions come from every id."""
    loading.load(large, None, no_say)
    found = loading.Index.open(large, large.stat())
    assert found is not None
    assert found.facts(large, loading.ById("q-nothing")) is None


def test_an_edit_keeping_size_and_mtime_is_seen(large: Path) -> None:
    """A same-size edit with the modification time put back still changes the answer."""
    loading.load(large, None, no_say)
    before = large.stat()
    text = large.read_text(encoding="utf-8")
    edited = text.replace('"id": "q-3", "speaker": "p-3"', '"id": "q-3", "speaker": "p-4"')
    assert edited != text and len(edited) == len(text)
    large.write_text(edited, encoding="utf-8")
    os.utime(large, ns=(before.st_atime_ns, before.st_mtime_ns))
    facts = loading.load(large, loading.ByName(NAME), no_say)
    assert "q-3" not in [row["id"] for row in quote_rows(facts, NAME)[:-2]]


def test_an_edit_breaking_a_reference_is_always_checked(large: Path) -> None:
    """After an edit that breaks a reference, the old index cannot vouch for the file."""
    loading.load(large, None, no_say)
    base = json.loads(large.read_text(encoding="utf-8"))
    base["quotes"][5]["speaker"] = "nobody"
    large.write_text(json.dumps(base), encoding="utf-8")
    with pytest.raises(factbase.FactBaseError, match="no person has the id 'nobody'"):
        loading.load(large, loading.ByName(NAME), no_say)


def _garbage(file: Path) -> None:
    file.write_bytes(b"not an index at all" * 100)


def _truncated(file: Path) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])


def _foreign(file: Path) -> None:
    file.unlink()
    connection = sqlite3.connect(file)
    connection.execute("create table meta (name text, value)")
    connection.execute("insert into meta values ('key', 'something else')")
    connection.commit()
    connection.close()


def _old_version(file: Path) -> None:
    connection = sqlite3.connect(file)
    connection.execute(
        "update meta set value = replace(value, ?, ?) where name = 'key'",
        (
            f"\n{location.FORMAT}\n",
            f"\n{location.FORMAT - 1}\n",
        ),
    )
    connection.commit()
    connection.close()


@pytest.mark.parametrize("spoil", [_garbage, _truncated, _foreign, _old_version])
def test_a_spoilt_index_is_rebuilt_never_trusted(
    large: Path, monkeypatch: pytest.MonkeyPatch, spoil: Any
) -> None:
    """A corrupt, truncated, foreign or old-format index is not used; the base is checked and
    indexed again."""
    loading.load(large, None, no_say)
    file = location.location(large)
    assert file is not None
    spoil(file)
    assert loading.Index.open(large, large.stat()) is None
    calls = count_checks(monkeypatch)
    facts = loading.load(large, loading.ByName(NAME), no_say)
    assert quote_rows(facts, NAME) == quote_rows(whole(large), NAME)
    assert len(calls) == 2
    assert loading.Index.open(large, large.stat()) is not None


def test_a_cache_that_is_a_file_answers_with_one_line(
    invoke: Invoke, large: Path, tmp_path: Path
) -> None:
    """With XDG_CACHE_HOME a file, kb answers without an index and says so in one line."""
    blocker = tmp_path / "blocked"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    result = invoke(
        "--facts", str(large), "quote", NAME, "--json", env={"XDG_CACHE_HOME": str(blocker)}
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["speaker"]["id"] == "p-3"
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"kb: no index for {large}: cannot write in ")


def test_kb_index_with_an_unusable_cache_says_why_it_has_none(
    invoke: Invoke, large: Path, tmp_path: Path
) -> None:
    """kb index in a cache folder that is a file names that reason, not "not built yet"."""
    blocker = tmp_path / "blocked"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    result = invoke("--facts", str(large), "index", env={"XDG_CACHE_HOME": str(blocker)})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"kb: no index for {large}: cannot write in {blocker}/kb/index: Not a directory"
    ]


def test_kb_index_on_a_full_disk_says_why_it_has_none(
    invoke: Invoke, large: Path, full_disk: None
) -> None:
    """kb index, when writing the index fails, names the failure once and exits 1."""

    file = location.location(large)
    assert file is not None
    result = invoke("--facts", str(large), "index")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"kb: no index for {large}: cannot write in {file.parent}: No space left on device"
    ]


@pytest.mark.parametrize(
    ("failing", "error", "reason"),
    [
        ("add", OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        ("_add_quotes", sqlite3.OperationalError("no such table: x"), "no such table: x"),
    ],
    ids=["full disk", "sqlite error half-way"],
)
def test_a_failing_build_answers_with_one_line(
    invoke: Invoke,
    large: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
    error: Exception,
    reason: str,
) -> None:
    """With the disk full while the index is written, or an insert failing half-way, kb
    answers, says so in one line, and leaves no index and no temporary file."""

    def fail(*args: Any) -> None:
        raise error

    monkeypatch.setattr(builder.Builder, failing, fail)
    file = location.location(large)
    assert file is not None
    result = invoke("--facts", str(large), "quote", NAME, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["speaker"]["id"] == "p-3"
    assert result.stderr.splitlines() == [
        f"kb: no index for {large}: cannot write in {file.parent}: {reason}; answering without it"
    ]
    assert list(file.parent.iterdir()) == []


def test_small_bases_have_no_index(invoke: Invoke, cache: Path) -> None:
    """The built-in base is read whole: nothing is written to the cache for it."""
    result = invoke("index")
    assert result.exit_code == 1
    assert "a base under 1 MiB is read whole" in result.stderr
    assert invoke("quote", "putin").exit_code == 0
    assert not cache.exists()


def test_kb_index_shows_where_and_what(invoke: Invoke, large: Path) -> None:
    """kb index builds the index if needed and shows its file, base, size and counts."""
    result = invoke("--facts", str(large), "index", "--json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["index"] == str(location.location(large))
    assert row["base"] == str(large.resolve())
    assert row["bytes"] == Path(row["index"]).stat().st_size
    assert (row["quotes"], row["people"], row["events"]) == (2000, 200, 400)


def test_kb_index_clear_removes_it(invoke: Invoke, large: Path) -> None:
    """kb index --clear removes the index; a second --clear finds nothing (exit 1)."""
    assert invoke("--facts", str(large), "quote", NAME).exit_code == 0
    file = location.location(large)
    assert file is not None and file.exists()
    cleared = invoke("--facts", str(large), "index", "--clear")
    assert cleared.exit_code == 0
    assert not file.exists()
    assert invoke("--facts", str(large), "index", "--clear").exit_code == 1


def test_eight_installed_kb_at_once_on_a_fresh_cache(large: Path, cache: Path) -> None:
    """Eight kb runs started together, each building the index, all answer the same."""
    env = {**os.environ, **STABLE_ENV, "XDG_CACHE_HOME": str(cache)}
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
    assert file is not None and loading.Index.open(large, large.stat()) is not None
    assert [path.name for path in file.parent.iterdir()] == [file.name]


# Name parts close to each other, with titles, particles and non-ASCII letters, so random
# queries land near, on and between names.
_PARTS = [
    "Putin",
    "Putn",
    "Vladimir",
    "Aliyev",
    "Aliev",
    "Ilham",
    "Heydar",
    "Pashinyan",
    "Nikol",
    "Şahin",
    "Çelik",
    "Mr",
    "de",
    "President",
    "Lavrov",
    "Lavrova",
    "Zoë",
    "Ali",
    "O’Brien-Smith",
    "Prime Minister of the Republic",
    "snake_case",
]
_name = st.lists(st.sampled_from(_PARTS), min_size=1, max_size=3).map(" ".join)
# Quote words close to each other, with stopwords, negations and contractions, so random
# fragments score across who-said's threshold.
_WORDS = [
    "the",
    "Russians",
    "Russian",
    "will",
    "not",
    "won't",
    "participate",
    "talks",
    "talk",
    "ceasefire",
    "cease-fire",
    "peacekeepers",
    "peacekeeper",
    "no",
    "celebration",
    "Baku",
    "“Şahin”",
    "naïve—talks",
    "snake_case",
    "l’armée",
    "ÇELIK",
    "Straße",
]
_text = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join)


@st.composite
def _bases(draw: st.DrawFn, most_quotes: int = 12) -> dict[str, Any]:
    # A spelling names one person only (checks.aliases): each is drawn once, then dealt out.
    spellings = draw(st.lists(_name, min_size=1, max_size=16, unique_by=fold))
    cut = draw(st.integers(1, len(spellings)))
    names = [(name, spellings[cut:][number::cut]) for number, name in enumerate(spellings[:cut])]
    source = {
        "id": "src-a",
        "title": "T",
        "publisher": "P",
        "date": "2023",
        "language": "en",
        "url": None,
    }
    other_source = {**source, "id": "src-b", "title": "U"}
    people = [
        {
            "id": f"p-{number}",
            "name": name,
            "kind": "person",
            "role": None,
            "aliases": aliases,
            "source": draw(st.sampled_from(["src-a", "src-b"])),
            "excerpt": "e",
        }
        for number, (name, aliases) in enumerate(names)
    ]
    # An actor named twice in one record still counts once (queries.involvement).
    actors = st.lists(st.integers(0, len(people) - 1).map("p-{}".format), min_size=1, max_size=3)
    count = draw(st.integers(1, most_quotes))
    quotes = []
    for number in range(count):
        links = draw(
            st.lists(st.integers(0, count - 1).filter(number.__ne__), max_size=2, unique=True)
        )
        responses = draw(
            st.lists(st.integers(0, count - 1).filter(number.__ne__), max_size=1, unique=True)
        )
        text = draw(_text)
        quotes.append(
            {
                "id": f"q-{number}",
                "speaker": f"p-{draw(st.integers(0, len(people) - 1))}",
                "text": text,
                "date": draw(st.sampled_from(["2023", "2023-09", "2023-09-20"])),
                "place": draw(st.sampled_from([None, "Baku"])),
                "medium": "m",
                "source": "src-a",
                "excerpt": f"said {text} then",
                "contradicts": [f"q-{n}" for n in links],
                "responds_to": [f"q-{n}" for n in responses],
            }
        )
    events = [
        {
            "id": f"e-{number}",
            "date": draw(st.sampled_from(["2023", "2023-09-19", "2022?"])),
            "what": "w",
            "where": None,
            "actors": draw(actors),
            "source": "src-a",
            "excerpt": "x",
        }
        for number in range(draw(st.integers(0, 5)))
    ]
    terms = [
        {
            "id": f"t-{number}",
            "text": "t",
            "quoted": False,
            "source": "src-a",
            "excerpt": "t",
            "actors": draw(actors),
        }
        for number in range(draw(st.integers(0, 3)))
    ]
    return {
        "schema_version": 1,
        "sources": [source, other_source],
        "people": people,
        "quotes": quotes,
        "terms": terms,
        "events": events,
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=_bases(),
    queries_=st.lists(_name, min_size=1, max_size=4),
    fragments=st.lists(_text, min_size=1, max_size=4),
)
def test_indexed_answers_equal_a_brute_force_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    base: dict[str, Any],
    queries_: list[str],
    fragments: list[str],
) -> None:
    """On random bases, quote, who-said, show, timeline, disputes and people from the index
    equal reading the base whole."""
    monkeypatch.setattr(loading, "FROM_BYTES", 0)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    loading.load(path, None, no_say)
    for name in [*queries_, *(person["name"] for person in base["people"])]:
        assert quote_rows(indexed(path, loading.ByName(name)), name) == quote_rows(
            whole(path), name
        )
    assert timeline_rows(indexed(path, loading.WholeCollection("events"))) == timeline_rows(
        whole(path)
    )
    assert disputes_rows(indexed(path, loading.Disputes())) == disputes_rows(whole(path))
    for fragment in [*fragments, *(quote["text"] for quote in base["quotes"][:3])]:
        assert who_said_rows(indexed(path, loading.ByFragment(fragment)), fragment) == (
            who_said_rows(whole(path), fragment)
        )
    for quote in base["quotes"]:
        assert show_rows(indexed(path, loading.ById(quote["id"])), quote["id"]) == show_rows(
            whole(path), quote["id"]
        )
    assert people_listed(path, indexed=True) == people_listed(path, indexed=False)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(base=_bases(most_quotes=80), fragments=st.lists(_text, min_size=1, max_size=6))
def test_who_said_from_the_index_equals_a_whole_read_on_many_quotes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base: dict[str, Any], fragments: list[str]
) -> None:
    """On random bases of up to 80 quotes, enough for many to reach the threshold or for
    nearest misses at each mark, who-said from the index equals reading the base whole."""
    monkeypatch.setattr(loading, "FROM_BYTES", 0)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    loading.load(path, None, no_say)
    for fragment in fragments:
        assert who_said_rows(indexed(path, loading.ByFragment(fragment)), fragment) == (
            who_said_rows(whole(path), fragment)
        )


def test_the_builtin_base_is_not_indexed() -> None:
    """The built-in base is under the size that gets an index."""
    assert FACTS.stat().st_size < loading.FROM_BYTES


def test_a_long_build_says_what_it_does(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the index of a base past the shown size says so, once, on stderr (no
    terminal: one line, not a bar)."""
    monkeypatch.setattr(loading, "SHOWN_FROM_BYTES", 0)
    first = invoke("--facts", str(large), "quote", NAME, "--json")
    assert first.exit_code == 0
    size = f"{large.stat().st_size / 1024 / 1024:,.1f} MiB"
    assert first.stderr == f"kb: indexing {large.name} ({size}), once for this file\n"
    later = invoke("--facts", str(large), "quote", NAME, "--json")
    assert later.exit_code == 0
    assert later.stderr == ""
    assert later.stdout == first.stdout


def test_a_base_flipped_while_read_never_leaves_a_clean_index_for_a_broken_file(
    large: Path, tmp_path: Path
) -> None:
    """With the base swapped by rename between lookups and reads, every lookup answers from
    what it read, and the broken file is refused afterwards, whatever index was left."""
    import threading

    base = json.loads(large.read_text(encoding="utf-8"))
    base["quotes"][3]["speaker"] = "p-X"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(base), encoding="utf-8")
    target = tmp_path / "facts.json"
    target.symlink_to(large)
    stop = threading.Event()

    def flip() -> None:
        sides = (large, broken)
        turn = 0
        while not stop.is_set():
            staged = tmp_path / "staged.json"
            staged.unlink(missing_ok=True)
            staged.symlink_to(sides[turn % 2])
            staged.replace(target)
            turn += 1

    flipper = threading.Thread(target=flip, daemon=True)
    flipper.start()
    try:
        for _ in range(40):
            try:
                facts = loading.load(target, loading.ByName(NAME), no_say)
            except factbase.FactBaseError as error:
                assert "no person has the id 'p-X'" in str(error)
            else:
                assert all(quote.speaker != "p-X" for quote in facts.content.quotes)
    finally:
        stop.set()
        flipper.join(timeout=10)
    target.unlink()
    target.symlink_to(broken)
    with pytest.raises(factbase.FactBaseError, match="no person has the id 'p-X'"):
        loading.load(target, loading.ByName(NAME), no_say)


def test_a_base_too_large_to_read_whole_is_answered_from_its_index(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the whole-read limit a base is still read a batch at a time, checked and indexed:
    lookups the index answers work; one that needs the whole base says so, exit 3."""
    monkeypatch.setattr(factbase, "MAX_BYTES", 1024 * 1024)
    assert large.stat().st_size > factbase.MAX_BYTES
    built = invoke("--facts", str(large), "index", "--json")
    assert built.exit_code == 0
    assert json.loads(built.stdout)[0]["quotes"] == 2000
    found = invoke("--facts", str(large), "quote", NAME, "--json")
    assert found.exit_code == 0
    assert json.loads(found.stdout)[0]["speaker"]["name"] == NAME
    assert invoke("--facts", str(large), "terms", "--json").exit_code == 0
    assert invoke("--facts", str(large), "timeline", "--json").exit_code == 0
    whole_read = invoke("--facts", str(large), "sources")
    assert whole_read.exit_code == 3
    size = f"{large.stat().st_size / 1024 / 1024:,.1f}"
    assert whole_read.stderr == (
        f"kb: {large}: file is {size} MiB: this lookup reads the whole base, at most 1 MiB\n"
    )


def test_a_cache_that_refuses_the_tables_leaves_no_file(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index whose tables cannot be made (here, a schema SQLite refuses) leaves no
    temporary file behind, and kb answers with one line."""

    monkeypatch.setattr(search, "SCHEMA", "create nonsense;")
    file = location.location(large)
    assert file is not None
    result = invoke("--facts", str(large), "quote", NAME, "--json")
    assert result.exit_code == 0
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"kb: no index for {large}: cannot write in {file.parent}")
    assert list(file.parent.iterdir()) == []


def test_a_base_changed_while_validate_places_its_problems_says_so(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb validate reads a base once to check it and once more to place its problems: a file
    changed in between is one line and exit 3, never a traceback."""

    def changed(*args: Any) -> None:
        raise ValueError("subsection not found")

    monkeypatch.setattr(factbase, "_placements", changed)
    result = invoke("validate", str(large))
    assert result.exit_code == 3
    assert result.stderr == (f"kb: {large}: changed while it was checked; run kb validate again\n")


def test_a_broken_base_too_large_to_read_whole_names_its_first_problem(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the whole-read limit, a record the model rejects is named where it stands: a
    lookup says it in one line with a hint (exit 3), kb validate lists it (exit 1)."""
    monkeypatch.setattr(factbase, "MAX_BYTES", 1024 * 1024)
    text = large.read_text(encoding="utf-8")
    broken = text.replace(
        '"id": "q-1500", "speaker": "p-', '"id": "q-1500", "speaker": 7, "x": "p-'
    )
    assert broken != text
    large.write_text(broken, encoding="utf-8")
    offset = broken.index('"speaker": 7')
    line = broken.count("\n", 0, offset) + 1
    # Placed at the record: the batch reader knows where each record starts.
    record = broken.rfind("{", 0, offset)
    record_column = record - broken.rfind("\n", 0, record)
    looked_up = invoke("--facts", str(large), "quote", NAME)
    assert looked_up.exit_code == 3
    assert looked_up.stderr.splitlines()[0] == (
        f"kb: {large}:{line}:{record_column}: quotes[1500].speaker: Expected `str`, got `int`"
    )
    assert "more problems may follow" in looked_up.stderr.splitlines()[1]
    validated = invoke("validate", str(large))
    assert validated.exit_code == 1
    assert validated.stdout.splitlines() == [
        f"{large}:{line}:{record_column}: quotes[1500].speaker: Expected `str`, got `int`"
    ]
