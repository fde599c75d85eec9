"""Ready citations of a quote, term or event: a sentence, CSL-JSON and BibTeX."""

from __future__ import annotations

import re
from typing import Any

from karabakh_cli.lookup.queries import LoadedBase
from karabakh_cli.model import CitableRecord, Event, Quote, Source, Term, parse_partial_date
from karabakh_cli.text import visible

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _statement(facts: LoadedBase, record: CitableRecord) -> str:
    """Who said or did what, and when, without the source."""
    if isinstance(record, Quote):
        speaker = facts.people[record.speaker]
        role = f" ({speaker.role})" if speaker.role else ""
        place = f", {record.place}" if record.place else ""
        return f"{speaker.name}{role}, {record.medium}{place}, {record.date}: “{record.text}”"
    if isinstance(record, Term):
        number = facts.content.terms.index(record) + 1
        words = "quoted" if record.quoted else "paraphrased"
        return f"Ceasefire term {number} ({words}): “{record.text}”"
    assert isinstance(record, Event)
    where = f", {record.where}" if record.where else ""
    return f"{record.what} ({record.date}{where})"


def _statement_and_note(facts: LoadedBase, record: CitableRecord) -> str:
    """The statement, then the curator's note where there is one: a reference manager keeps
    what a reader must know, such as a phrase the machine translation garbles."""
    statement = _statement(facts, record)
    return f"{statement}. Curator's note: {record.note}" if record.note else statement


def citation_text(facts: LoadedBase, record: CitableRecord) -> str:
    """One sentence: who, what medium, when, quoted in which source of what date."""
    source = facts.sources[record.source]
    verb = "quoted in" if isinstance(record, Quote | Term) else "reported in"
    url = f", {source.url}" if source.url else ""
    return (
        f"{_statement(facts, record)}; {verb} {source.publisher}, {source.title_in_text}, "
        f"{source.date}{url}."
    )


def _date_parts(date: str) -> list[int]:
    when = parse_partial_date(date)
    return [part for part in (when.year, when.month, when.day) if part]


def csl_json(facts: LoadedBase, record: CitableRecord) -> dict[str, Any]:
    """A CSL-JSON item for reference managers: the source article, with the statement as note."""
    source: Source = facts.sources[record.source]
    item: dict[str, Any] = {
        "id": record.id,
        "type": "article-newspaper",
        "title": source.cited_title,
        "container-title": source.publisher,
        "publisher": source.publisher,
        "issued": {"date-parts": [_date_parts(source.date)]},
        "language": source.language,
        "note": _statement_and_note(facts, record),
    }
    if source.url:
        item["URL"] = source.url
    return item


_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "^": r"\^{}",
    "~": r"\~{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(map(re.escape, _BIBTEX_ESCAPES)))


def _bibtex_escape(text: str) -> str:
    """TeX's special characters escaped, and control characters shown as symbols (ESC as ␛),
    as every other format shows them: never sent raw to a terminal."""
    return visible(_BIBTEX_SPECIAL.sub(lambda found: _BIBTEX_ESCAPES[found.group()], text))


def bibtex(facts: LoadedBase, record: CitableRecord) -> str:
    """A BibTeX @article entry keyed by the record id."""
    source = facts.sources[record.source]
    when = parse_partial_date(source.date)
    fields = {
        "title": source.cited_title,
        "journal": source.publisher,
        "year": str(when.year),
        "date": source.date.rstrip("?"),
        "language": source.language,
        "note": _statement_and_note(facts, record),
    }
    if source.url:
        fields["url"] = source.url
    body = ",\n".join(f"  {key} = {{{_bibtex_escape(value)}}}" for key, value in fields.items())
    month = f",\n  month = {_MONTHS[when.month - 1]}" if when.month else ""
    return f"@article{{{visible(record.id)},\n{body}{month}\n}}\n"
