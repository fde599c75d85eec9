"""kb export sqlite: a database that SQLite, sqlite-utils' conventions and Datasette read as it
is, with every record, its links, full-text search, a view and metadata for every column."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.model import KINDS
from karabakh_cli.output import export
from tests.conftest import FACTS, Invoke


@pytest.fixture
def exported(invoke: Invoke, tmp_path: Path) -> Path:
    out = tmp_path / "karabakh.db"
    result = invoke("export", "sqlite", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"datasette {out} -m {tmp_path / 'karabakh.metadata.json'}" in result.stderr
    return out


def rows(database: Path, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, parameters).fetchall()


def test_every_record_is_one_row_of_its_kinds_table(exported: Path) -> None:
    base = json.loads(FACTS.read_text(encoding="utf-8"))
    for kind in KINDS:
        ids = [
            row[0] for row in rows(exported, f"select id from [{kind.collection}] order by rowid")
        ]
        assert ids == [record["id"] for record in base[kind.collection]]


def test_values_are_the_base_values_typed(exported: Path) -> None:
    base = json.loads(FACTS.read_text(encoding="utf-8"))
    [quote] = [quote for quote in base["quotes"] if quote["id"] == "q-putin-mediation"]
    [(text, note, excerpt)] = rows(
        exported, "select text, note, excerpt from quotes where id = ?", quote["id"]
    )
    assert (text, note, excerpt) == (quote["text"], quote["note"], quote["excerpt"])
    [(supplied, path, digest)] = rows(
        exported, "select title_supplied, archive_path, archive_sha256 from sources"
    )
    source = base["sources"][0]
    assert supplied == int(source["title_supplied"])
    assert (path, digest) == (source["archive"]["path"], source["archive"]["sha256"])
    aliases = rows(exported, "select aliases from people where id = 'ilham-aliyev'")[0][0]
    assert json.loads(aliases) == next(
        person["aliases"] for person in base["people"] if person["id"] == "ilham-aliyev"
    )


def test_links_are_tables_in_the_records_order_and_foreign_keys_hold(exported: Path) -> None:
    base = json.loads(FACTS.read_text(encoding="utf-8"))
    expected = [
        (quote["id"], target, position)
        for quote in base["quotes"]
        for position, target in enumerate(quote.get("contradicts", []))
    ]
    assert expected
    assert rows(exported, "select * from quotes_contradicts order by rowid") == expected
    actors = rows(exported, "select event, person from events_actors order by rowid")
    assert actors == [
        (event["id"], actor) for event in base["events"] for actor in event.get("actors", [])
    ]
    assert rows(exported, "pragma foreign_key_check") == []
    assert rows(exported, "pragma integrity_check") == [("ok",)]
    declared = {row[2] for row in rows(exported, "pragma foreign_key_list(quotes)")}
    assert declared == {"people", "sources"}


@pytest.mark.parametrize(
    ("table", "query", "found"),
    [
        ("quotes", "peacekeeping", "q-putin-mediation"),
        ("terms", "Yevlakh", "t-talks-yevlakh"),
        ("events", "offensive", "e-offensive-launched"),
    ],
)
def test_full_text_search_is_configured_the_way_datasette_detects_it(
    exported: Path, table: str, query: str, found: str
) -> None:
    # Datasette's own test (datasette.utils.detect_fts) of an FTS table with content.
    detected = rows(
        exported,
        "select name from sqlite_master where rootpage = 0 and sql like ?",
        f"%VIRTUAL TABLE%USING FTS%content=[{table}]%",
    )
    assert detected == [(f"{table}_fts",)]
    hits = rows(
        exported,
        f"select [{table}].id from [{table}_fts] join [{table}] "
        f"on [{table}].rowid = [{table}_fts].rowid where [{table}_fts] match ?",
        query,
    )
    assert (found,) in hits


def test_the_view_gives_each_quote_its_speaker_and_sources_caveats(exported: Path) -> None:
    listed = rows(
        exported, "select id, speaker, translated_from, translation from quotes_with_speakers"
    )
    assert len(listed) == len(json.loads(FACTS.read_text(encoding="utf-8"))["quotes"])
    assert ("q-putin-mediation", "Vladimir Putin", "fr", "machine") in listed


def test_metadata_describes_every_column_of_every_table_and_view(exported: Path) -> None:
    described = json.loads((exported.parent / "karabakh.metadata.json").read_text("utf-8"))
    assert described["source"] == "Le Monde"
    assert "license" not in described  # kb cannot know it, and never guesses
    tables = described["databases"]["karabakh"]["tables"]
    names = [
        row[0]
        for row in rows(
            exported,
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like '%_fts%'",
        )
    ]
    assert sorted(names) == sorted(tables)
    for name in names:
        columns = [row[1] for row in rows(exported, f"pragma table_info([{name}])")]
        assert sorted(columns) == sorted(tables[name]["columns"]), name
        for column, description in tables[name]["columns"].items():
            assert description.strip(), (name, column)


def test_a_licence_is_written_only_when_the_curator_names_it(
    invoke: Invoke, tmp_path: Path
) -> None:
    out, described = tmp_path / "x.db", tmp_path / "meta" / "x.json"
    described.parent.mkdir()
    result = invoke(
        "export", "sqlite", str(out), "--metadata", str(described), "--license", "CC BY 4.0"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(described.read_text("utf-8"))["license"] == "CC BY 4.0"


def test_an_existing_database_is_replaced_whole(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "karabakh.db"
    out.write_bytes(b"not a database")
    assert invoke("export", "sqlite", str(out)).exit_code == 0
    assert rows(out, "select count(*) from quotes")[0][0] > 0


@pytest.mark.parametrize("where", ["no-folder/out.db", "."])
def test_a_path_that_cannot_be_written_is_refused_before_reading(
    invoke: Invoke, tmp_path: Path, where: str
) -> None:
    result = invoke("export", "sqlite", str(tmp_path / where))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_failure_half_way_leaves_nothing(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(connection: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(export, "_view", broken)
    out = tmp_path / "karabakh.db"
    result = invoke("export", "sqlite", str(out))
    assert result.exit_code == 3
    assert result.stderr.strip() == f"kb: cannot write {out}: database or disk is full"
    assert list(tmp_path.iterdir()) == []


def test_a_base_with_errors_is_not_exported(invoke: Invoke, tmp_path: Path) -> None:
    broken = tmp_path / "facts.json"
    broken.write_text('{"schema_version": 1}', encoding="utf-8")
    result = invoke("--facts", str(broken), "export", "sqlite", str(tmp_path / "x.db"))
    assert result.exit_code == 3
    assert not (tmp_path / "x.db").exists()


def test_a_generated_base_exports_every_record(invoke: Invoke, large: Path, tmp_path: Path) -> None:
    out = tmp_path / "large.db"
    assert invoke("--facts", str(large), "export", "sqlite", str(out)).exit_code == 0
    base = json.loads(large.read_text(encoding="utf-8"))
    for kind in KINDS:
        count = rows(out, f"select count(*) from [{kind.collection}]")[0][0]
        assert count == len(base[kind.collection])
    assert rows(out, "pragma foreign_key_check") == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def datasette(exported: Path) -> Iterator[str]:
    """Datasette serving the export with its metadata on a free local port; stopped by pid."""
    program = shutil.which("datasette", path=str(Path(sys.executable).parent))
    if program is None:
        pytest.skip("datasette is not installed (.ci/run installs it)")
    port = _free_port()
    metadata = exported.parent / "karabakh.metadata.json"
    server = subprocess.Popen(
        [program, str(exported), "-m", str(metadata), "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/-/versions.json", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetched(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_datasette_serves_search_the_view_and_the_column_descriptions(datasette: str) -> None:
    hits = fetched(f"{datasette}/karabakh/quotes.json?_search=peacekeeping&_shape=array")
    assert [hit["id"] for hit in hits] == ["q-putin-mediation"]
    view = fetched(f"{datasette}/karabakh/quotes_with_speakers.json?_shape=array&_size=max")
    assert {"Vladimir Putin", "Ilham Aliyev"} <= {row["speaker"] for row in view}
    table = fetched(f"{datasette}/karabakh/quotes.json")
    assert table["primary_keys"] == ["id"]
    with urllib.request.urlopen(f"{datasette}/karabakh/quotes", timeout=10) as page:
        assert "The words, verbatim as the source prints them." in page.read().decode()
