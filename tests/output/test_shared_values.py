"""A value every row of a table shares is said once, in the title, not repeated down a column
squeezed to a few characters; what each row is (its text, its id) always stays."""

from __future__ import annotations

from tests.conftest import Invoke


def test_a_medium_shared_by_every_quote_moves_to_the_title(invoke: Invoke) -> None:
    result = invoke("quote", "amirbayov", "--format", "table", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    title, header = result.stdout.splitlines()[:2]
    assert (
        title.strip()
        == "Quotes of Elchin Amirbayov · Date: 2023-09 · Medium: interview with Le Monde"
    )
    assert "Medium" not in header and "Date" not in header
    assert result.stdout.count("interview with Le Monde") == 1
    assert "q-amirbayov-small-groups" in result.stdout


def test_one_row_keeps_its_columns(invoke: Invoke) -> None:
    result = invoke("quote", "putin", "--format", "table", env={"COLUMNS": "120"})
    header = result.stdout.splitlines()[1]
    assert "Medium" in header
    assert "·" not in result.stdout.splitlines()[0]


def test_scripts_still_get_every_field_in_every_row(invoke: Invoke) -> None:
    plain = invoke("quote", "amirbayov", "--format", "plain").stdout.splitlines()
    assert all("interview with Le Monde" in line for line in plain)
