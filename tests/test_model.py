"""The table of record kinds in the model, and what is derived from it."""

from __future__ import annotations

import msgspec

from karabakh_cli import model
from karabakh_cli.cli import lookups


def test_every_collection_of_the_fact_base_is_a_kind() -> None:
    """Each list of records in the fact base struct has exactly one entry in the kinds table."""
    lists = [
        field.encode_name
        for field in msgspec.structs.fields(model.FactBase)
        if field.encode_name not in {"schema_version", "$schema"}
    ]
    assert [kind.collection for kind in model.KINDS] == lists


def test_references_name_fields_of_the_struct() -> None:
    """Every declared reference is a field of its kind's struct, pointing at a known kind."""
    for kind in model.KINDS:
        fields = {field.name for field in msgspec.structs.fields(kind.struct)}
        for reference in kind.references:
            assert reference.field in fields, (kind.name, reference.field)
            assert reference.target in model.KIND


def test_search_kind_option_matches_the_searched_kinds() -> None:
    """kb search --kind offers exactly the kinds the search looks in, in the same order."""
    assert [choice.value for choice in lookups.Kind] == list(model.SEARCHED_KINDS)


def test_citable_records_are_the_citable_kinds() -> None:
    """CitableRecord, spelled out for mypy, is exactly the structs of the kinds marked citable."""
    import typing

    structs = {model.KIND[name].struct for name in model.CITABLE_KINDS}
    assert set(typing.get_args(model.CitableRecord)) == structs


def test_verbatim_kinds_have_a_text_and_an_excerpt() -> None:
    """A kind checked verbatim has the text and excerpt fields the check compares."""
    for kind in model.KINDS:
        if kind.verbatim:
            fields = {field.name for field in msgspec.structs.fields(kind.struct)}
            assert {"text", "excerpt"} <= fields, kind.name
