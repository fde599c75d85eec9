"""The installed kb editing and removing as curators and their scripts do: from a folder
outside the repository, and several writers at once."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import KB, SOURCE_ID, installed_env, make_base, run_captured


def test_edits_started_together_all_land(tmp_path: Path) -> None:
    """Six kb edit of one base at once, each of its own field: every change is in the base,
    none lost to another writer's older version, and the base is valid."""
    facts = make_base(tmp_path)
    changes = [
        ("ivana-testova", "--role", "Foreign minister of Ruritania"),
        ("ivana-testova", "--note", "Named in the first paragraph"),
        ("anton-kerbel", "--role", "Deputy minister"),
        ("anton-kerbel", "--note", "Called Mr. Kerbel by the report"),
        (SOURCE_ID, "--url", "https://example.org/talks"),
        (SOURCE_ID, "--note", "An invented report"),
    ]
    writers = [
        subprocess.Popen(
            [str(KB), "--facts", str(facts), "edit", record_id, option, value],
            cwd=tmp_path,
            env=installed_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for record_id, option, value in changes
    ]
    outcomes = [writer.communicate(timeout=120) for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * len(changes), outcomes
    base = json.loads(facts.read_bytes())
    by_id = {
        record["id"]: record
        for records in base.values()
        if isinstance(records, list)
        for record in records
    }
    for record_id, option, value in changes:
        assert by_id[record_id][option.lstrip("-")] == value
    assert (
        run_captured(
            [str(KB), "validate", str(facts)], cwd=tmp_path, env=installed_env()
        ).returncode
        == 0
    )
    assert sorted(tmp_path.glob(".*.tmp")) == []


def test_correct_a_text_then_remove_from_outside_the_repository(tmp_path: Path) -> None:
    """A curator's session in a folder of their own: an archive corrected in place, archived
    again as kb validate says, then a person removed."""
    facts = make_base(tmp_path)
    archive = tmp_path / "sources" / f"{SOURCE_ID}.txt"
    archive.write_text(
        archive.read_text(encoding="utf-8").replace("all units", "every unit"), "utf-8"
    )

    def kb(*args: str) -> subprocess.CompletedProcess[str]:
        return run_captured([str(KB), *args], cwd=tmp_path, env=installed_env())

    checked = kb("validate", "facts.json")
    assert checked.returncode == 1
    fix = checked.stdout.split("archive it again: ")[1].split("\n")[0]
    assert fix == f"kb --facts PATH edit {SOURCE_ID} --text sources/{SOURCE_ID}.txt"
    rearchived = kb("--facts", "facts.json", *fix.split()[3:])
    assert rearchived.returncode == 0, rearchived.stderr
    assert kb("validate", "facts.json").returncode == 0
    removed = kb("--facts", "facts.json", "remove", "ivana-testova", "--json")
    assert removed.returncode == 0, removed.stderr
    assert [row["id"] for row in json.loads(removed.stdout)] == ["ivana-testova"]
    assert "ivana-testova" not in facts.read_text(encoding="utf-8")
