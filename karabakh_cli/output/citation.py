"""Ready citations of a quote, term or event: a sentence, CSL-JSON and BibTeX.

One source, one bibliography entry. Every record of a source cites the same item, keyed by the
source's id (``src-lemonde-2023-09-21``), with only what is true of the document in it: a
bibliography built from several ``kb cite`` runs lists the report once, and a reference
manager that merges items of one id loses nothing. What differs from record to record (who
said what, and the curator's note on it) is the citation's own part, where CSL and biblatex
put what one citation adds to its item: CSL's cite-item ``suffix`` (pandoc:
``[@src-lemonde-2023-09-21, SUFFIX]``) and biblatex's ``postnote``
(``\\autocite[{POSTNOTE}]{src-lemonde-2023-09-21}``). A locator would be wrong there, as it
names a page or a paragraph, and the item's ``note`` is shared by every citation of it.
CSL-JSON has no place for a citation beside its item, so the suffix travels in the item's
``custom`` object (CSL 1.0.2's field for data without a variable, which styles never print);
the BibTeX entry is preceded by an ``@comment`` holding the ready ``\\autocite``.

The item's ``note`` says what a reader of the document must know: that it is a translation,
and of what. No field repeats another: the newspaper is ``container-title`` (``journal``),
never also the publisher, since styles print both.
"""

from __future__ import annotations

import re
from typing import Any

from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.model import CitableRecord, Event, Quote, Source, Term, parse_partial_date
from karabakh_cli.text import visible

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

# A language's English name for sentences, and its babel name for biblatex's langid and
# origlanguage, by primary subtag. A language not listed is named by its tag.
_LANGUAGES = {
    "ar": ("Arabic", "arabic"),
    "az": ("Azerbaijani", "azerbaijani"),
    "de": ("German", "ngerman"),
    "en": ("English", "english"),
    "es": ("Spanish", "spanish"),
    "fa": ("Persian", "farsi"),
    "fr": ("French", "french"),
    "hy": ("Armenian", "armenian"),
    "it": ("Italian", "italian"),
    "ka": ("Georgian", "georgian"),
    "ru": ("Russian", "russian"),
    "tr": ("Turkish", "turkish"),
    "uk": ("Ukrainian", "ukrainian"),
}
_TRANSLATED_BY = {"machine": "machine translation", "person": "translation by a person"}


def _language(tag: str) -> tuple[str, str]:
    """A language tag's English name and babel name ("fr" is French, french)."""
    return _LANGUAGES.get(tag.split("-")[0].casefold(), (tag, tag))


def translation_phrase(source: Source) -> str | None:
    """ "English machine translation of the French original" for a translated source."""
    if source.translated_from is None:
        return None
    made = _TRANSLATED_BY.get(source.translation or "", "translation")
    return (
        f"{_language(source.language)[0]} {made} of the "
        f"{_language(source.translated_from)[0]} original"
    )


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


def _with_note(text: str, record: CitableRecord) -> str:
    """``text``, then the curator's note where there is one: what a reader must know, such as
    a phrase the machine translation garbles, stays with the words it is about."""
    return f"{text}. Curator's note: {record.note}" if record.note else text


def citation_suffix(facts: LoadedBase, record: CitableRecord) -> str:
    """What one citation adds to its source's entry: the statement and the curator's note."""
    return _with_note(_statement(facts, record), record)


def citation_text(facts: LoadedBase, record: CitableRecord) -> str:
    """One sentence: who, what medium, when, quoted in which source of what date, whether
    that source is a translation, then the curator's note."""
    source = facts.sources[record.source]
    verb = "quoted in" if isinstance(record, Quote | Term) else "reported in"
    url = f", {source.url}" if source.url else ""
    phrase = translation_phrase(source)
    translated = f" ({phrase})" if phrase else ""
    cited = (
        f"{_statement(facts, record)}; {verb} {source.publisher}, {source.title_in_text}, "
        f"{source.date}{url}{translated}"
    )
    return _with_note(cited, record) + ("" if record.note else ".")


def _csl_date(date: str) -> dict[str, Any]:
    """A CSL date: its known parts, and ``circa`` for an uncertain one (EDTF's ``?``)."""
    when = parse_partial_date(date)
    issued: dict[str, Any] = {
        "date-parts": [[part for part in (when.year, when.month, when.day) if part]]
    }
    if when.uncertain:
        issued["circa"] = True
    return issued


def csl_json(facts: LoadedBase, record: CitableRecord) -> dict[str, Any]:
    """The CSL-JSON item of the record's source, the same for every record of it, carrying
    this record's statement as the citation's suffix (see the module's docstring)."""
    source: Source = facts.sources[record.source]
    item: dict[str, Any] = {
        "id": source.id,
        "type": "article-newspaper",
        "title": source.cited_title,
        "container-title": source.publisher,
        "issued": _csl_date(source.date),
        "language": source.language,
    }
    phrase = translation_phrase(source)
    if phrase:
        item["note"] = phrase
    if source.url:
        item["URL"] = source.url
    item["custom"] = {"record": record.id, "suffix": citation_suffix(facts, record)}
    return item


# Every character TeX or BibTeX gives a meaning, as a command that prints it. Braces become
# \textbraceleft{}, not \{: BibTeX counts a brace after a backslash too, so a lone \{ would
# leave the entry open.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(map(re.escape, _BIBTEX_ESCAPES)))
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A URL is verbatim to biber: nothing is escaped, but the characters that would end the field
# or the line are percent-encoded, as a URL may write any character.
_URL_UNSAFE = re.compile(r"[{}\\\s]")


def _bibtex_escape(text: str) -> str:
    """TeX's special characters escaped, and control characters shown as symbols (ESC as ␛),
    as every other format shows them: never sent raw to a terminal."""
    return visible(_BIBTEX_SPECIAL.sub(lambda found: _BIBTEX_ESCAPES[found.group()], text))


def _bibtex_title(text: str) -> str:
    """The title escaped, each word holding a capital in braces, so that a style setting
    titles in sentence case keeps "{Azerbaijan}" and "{Nagorno}-{Karabakh}" as written."""
    parts: list[str] = []
    end = 0
    for word in _WORD.finditer(text):
        parts.append(_bibtex_escape(text[end : word.start()]))
        shown = _bibtex_escape(word.group())
        parts.append(f"{{{shown}}}" if any(char.isupper() for char in shown) else shown)
        end = word.end()
    parts.append(_bibtex_escape(text[end:]))
    return "".join(parts)


def _bibtex_url(url: str) -> str:
    return visible(_URL_UNSAFE.sub(lambda found: f"%{ord(found.group()):02X}", url))


def bibtex(facts: LoadedBase, record: CitableRecord) -> str:
    """The biblatex @article entry of the record's source, keyed by the source's id and the
    same for every record of it, after an @comment with this record's ready \\autocite (its
    statement as the postnote; see the module's docstring).

    The newspaper stands as the author, in braces as one corporate name, as Chicago writes an
    unsigned article: biblatex's data model and BibTeX's styles require an @article to have
    one, and the report's byline is not known. ``date`` keeps an uncertain date's EDTF ``?``;
    ``year`` and ``month`` are there for BibTeX styles, which read no ``date``.
    """
    source = facts.sources[record.source]
    when = parse_partial_date(source.date)
    fields = {
        "author": f"{{{_bibtex_escape(source.publisher)}}}",
        "title": _bibtex_title(source.cited_title),
        "journal": _bibtex_escape(source.publisher),
        "entrysubtype": "newspaper",
        "date": visible(source.date),
        "year": str(when.year),
    }
    fields["langid"] = _bibtex_escape(_language(source.language)[1])
    if source.translated_from:
        fields["origlanguage"] = _bibtex_escape(_language(source.translated_from)[1])
    phrase = translation_phrase(source)
    if phrase:
        fields["note"] = _bibtex_escape(phrase)
    if source.url:
        fields["url"] = _bibtex_url(source.url)
    body = "".join(f"  {key} = {{{value}}},\n" for key, value in fields.items())
    month = f"  month = {_MONTHS[when.month - 1]},\n" if when.month else ""
    key = visible(source.id)
    postnote = _bibtex_escape(citation_suffix(facts, record))
    comment = f"@comment{{kb cite {visible(record.id)}: \\autocite[{{{postnote}}}]{{{key}}}}}\n"
    return f"{comment}@article{{{key},\n{body}{month}}}\n"


def csl_json_of(facts: LoadedBase, records: list[CitableRecord]) -> list[dict[str, Any]]:
    """The CSL-JSON items of ``records``: one item per source, in the order first cited. An
    item cited by several of the records keeps the first one's ``record`` and ``suffix`` and
    lists every one in ``custom.citations``, so that each citation's words are kept."""
    items: dict[str, dict[str, Any]] = {}
    for record in records:
        item = csl_json(facts, record)
        if item["id"] not in items:
            items[item["id"]] = item
            continue
        custom = items[item["id"]]["custom"]
        citations = custom.setdefault(
            "citations", [{"record": custom["record"], "suffix": custom["suffix"]}]
        )
        citations.append(item["custom"])
    return list(items.values())


def bibtex_of(facts: LoadedBase, records: list[CitableRecord]) -> str:
    """The biblatex entries of ``records``: every record's @comment with its \\autocite, and
    each source's @article once, where its first record is cited."""
    written: set[str] = set()
    parts: list[str] = []
    for record in records:
        comment, _, entry = bibtex(facts, record).partition("@article")
        parts.append(comment if record.source in written else f"{comment}@article{entry}")
        written.add(record.source)
    return "".join(parts)
