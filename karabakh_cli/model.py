"""The records of a fact base and the partial date they are dated with.

These structs are the one definition of the fact base: the loader decodes with them,
``kb validate`` checks each field against them, and ``kb schema`` is generated from them.
"""

import functools
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, NamedTuple, get_args

import msgspec

DATE_FORM = "YYYY[-MM[-DD]]"
# What a person types for a date, as the options' help and messages show it.
DATE_EXAMPLES = "2023, 2023-09 or 2023-09-20"
PARTIAL_DATE_FORM = f"{DATE_FORM} with an optional trailing '?'"
# The one form of a date, for the parser and the JSON Schema alike (valid in both Python and
# ECMA regular expressions); which months and days exist, the parser checks. ASCII digits
# only, written out: Python's \d also takes "２０２３" and "२०२३", which the schema's does not.
PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?(\?)?")

# The forms of ids and dates are published in the JSON Schema and checked by integrity.py (ids)
# and parse_partial_date (dates), not by msgspec while decoding: a regular expression per
# id and date field would triple the time it takes to load a large base.
ID_FORM = re.compile(r"[a-z0-9][a-z0-9-]*")
Id = Annotated[
    str,
    msgspec.Meta(
        description="Lower-case letters, digits and hyphens, e.g. q-putin-mediation.",
        extra_json_schema={"pattern": f"^{ID_FORM.pattern}$"},
    ),
]
Text = Annotated[str, msgspec.Meta(min_length=1)]
# The published schema states the months and days that exist, as far as a pattern can (a day 31
# in a month of 30 days only kb validate refuses); the parser reads PARTIAL_DATE and names the
# month or day that is wrong.
_SCHEMA_DATE = r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?\??$"
PartialDateText = Annotated[
    str,
    msgspec.Meta(
        description="ISO 8601 date with its precision (EDTF level 0): 1991, 2020-11, "
        "2023-09-20; a trailing ? marks an uncertain date.",
        extra_json_schema={"pattern": _SCHEMA_DATE},
    ),
]
# A source's address: a scheme, then no whitespace (RFC 3986's absolute URI, as kb validate
# checks it); the schema says format uri too, for validators that check formats.
URL_FORM = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        description="Where the source was published: an absolute URL, e.g. https://...",
        extra_json_schema={"format": "uri", "pattern": f"^{URL_FORM.pattern}$"},
    ),
]
PersonKind = Literal["person", "organisation", "state"]
PERSON_KINDS: tuple[str, ...] = get_args(PersonKind)
"""What a person record may stand for, for the options and checks that list them."""


def days_in_month(year: int, month: int) -> int:
    """Days in a month of the proleptic Gregorian calendar (without importing calendar)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class PartialDate(NamedTuple):
    """A date known to the year, the month or the day, perhaps uncertain.

    Ordered so that a coarser date sorts before the finer dates it contains:
    1991 < 2020 < 2023-09 < 2023-09-19.
    """

    year: int
    month: int = 0
    day: int = 0
    uncertain: bool = False

    def covers_start(self) -> tuple[int, int, int]:
        """The earliest day this date may stand for, for --since."""
        return (self.year, self.month or 1, self.day or 1)

    def covers_end(self) -> tuple[int, int, int]:
        """The latest day this date may stand for, for --until."""
        month = self.month or 12
        day = self.day or days_in_month(self.year, month)
        return (self.year, month, day)

    @property
    def partial(self) -> bool:
        """Whether the date is known only to the month or the year."""
        return not self.day

    def chronological(self) -> tuple[int, int, int, int]:
        """Where a listing in date order puts this date: a month or a year after every day it
        may hold, the day first where they end together (2023-09-19, 2023-09-30, 2023-09,
        2023). Never before its days, where it would read as having come first."""
        return (*self.covers_end(), 0 if self.day else 1 if self.month else 2)


@functools.lru_cache(maxsize=4096)
def date_problem(value: str) -> str | None:
    """What is wrong with a date as typed (--since, --until, --date), or None: a date of the
    right form names the month or day that does not exist, any other shows the form."""
    try:
        parse_partial_date(value)
    except ValueError as error:
        return (
            str(error)
            if PARTIAL_DATE.fullmatch(value)
            else f"expected {DATE_FORM}, e.g. {DATE_EXAMPLES}; got {value!r}"
        )
    return None


def parse_partial_date(text: str) -> PartialDate:
    """Read ``1991``, ``2020-11``, ``2023-09-20`` or any of them with a trailing ``?``.

    Raises ValueError naming the expected form, or the impossible day.
    """
    found = PARTIAL_DATE.fullmatch(text)
    if found is None:
        raise ValueError(f"expected {PARTIAL_DATE_FORM}, got {text!r}")
    year, month, day = (int(part) if part else 0 for part in found.group(1, 2, 3))
    if found.group(2) and not 1 <= month <= 12:
        raise ValueError(f"expected {PARTIAL_DATE_FORM}, got {text!r} (no month {month})")
    if found.group(3) and not 1 <= day <= days_in_month(year, month):
        raise ValueError(f"impossible date {text!r}: {year}-{month:02d} has no day {day}")
    return PartialDate(year, month, day, found.group(4) == "?")


# Lists in the file are tuples here: records are immutable, and an absent list is the one
# shared empty tuple rather than a new empty list per record (megabytes on a large base).
class Record(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True, gc=False):
    """Fields every record shares."""

    id: Id


SHA256_FORM = re.compile(r"[0-9a-f]{64}")
ArchivePath = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        description="The archived text's file, relative to the fact base file's folder and "
        "inside it, with / between folders, e.g. sources/src-lemonde-2023-09-21.txt.",
        # As archive.archive_file refuses: no absolute path or drive, no .. step, no \\.
        extra_json_schema={"pattern": r"^(?![/])(?![A-Za-z]:)(?!(?:.*/)?\.\.(?:/|$))[^\\]+$"},
    ),
]
Sha256 = Annotated[
    str,
    msgspec.Meta(
        description="SHA-256 of the archived file's bytes, 64 lower-case hexadecimal digits.",
        extra_json_schema={"pattern": f"^{SHA256_FORM.pattern}$"},
    ),
]


class Archive(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True, gc=False):
    """A copy of a source's text kept with the fact base, so every excerpt can be checked."""

    path: ArchivePath
    sha256: Sha256


TitleSupplied = Annotated[
    bool,
    msgspec.Meta(
        description="True when the document carries no title of its own and `title` is the "
        "curator's description of it: citations then show it in square brackets, not quoted.",
    ),
]


# The shape of a BCP 47 language tag (RFC 5646): a primary subtag of two to eight letters
# (or x/i for private and grandfathered tags), then subtags of one to eight letters or digits.
# The shape only: whether a subtag is registered is not kb's to tell.
LANGUAGE_TAG = re.compile(r"(?:[A-Za-z]{2,8}|[xXiI])(?:-[A-Za-z0-9]{1,8})*")
LanguageTag = Annotated[
    str,
    msgspec.Meta(
        pattern=f"^{LANGUAGE_TAG.pattern}$",
        description="A BCP 47 language tag, e.g. en, fr or pt-BR.",
    ),
]
TranslationKind = Literal["machine", "person"]
TRANSLATION_KINDS: tuple[str, ...] = get_args(TranslationKind)
"""Who made a translation, for the options and checks that list them."""


def translation_problem(
    language: str, translated_from: str | None, translation: str | None
) -> tuple[str, str] | None:
    """What is wrong with a source's translation fields, as (field, message), or None.

    The one statement of the rule: the loader (``Source.__post_init__``) and ``kb validate``
    (checks.py) both ask it.
    """
    if translation is not None and translated_from is None:
        return "translation", "a translation needs translated_from, the original's language"
    if translated_from is not None and translated_from.casefold() == language.casefold():
        return "translated_from", f"must differ from the text's own language {language!r}"
    return None


class Source(Record, frozen=True, kw_only=True):
    """A document the fact base is curated from."""

    title: Text
    # Right after the title it qualifies: the field order is the key order of the file.
    title_supplied: TitleSupplied = False
    publisher: Text
    date: PartialDateText
    language: LanguageTag
    # A translation says what it translates, right after its own language: both are absent
    # from a source in its original language, so bases written before them load as they were.
    translated_from: (
        Annotated[
            LanguageTag,
            msgspec.Meta(
                description="The language of the original this text translates (BCP 47), "
                "e.g. fr; absent when the text is the original."
            ),
        ]
        | None
    ) = None
    translation: (
        Annotated[
            TranslationKind,
            msgspec.Meta(description="Who translated it: machine or person."),
        ]
        | None
    ) = None
    url: Url | None
    # None for a source whose text is not kept, e.g. a broadcast.
    archive: Archive | None = None

    def __post_init__(self) -> None:
        problem = translation_problem(self.language, self.translated_from, self.translation)
        if problem is not None:
            raise ValueError(problem[1])

    @property
    def cited_title(self) -> str:
        """The title as citations write it: one the curator supplied for an untitled document
        in square brackets, as citation styles mark a description, never as if the publisher
        printed it; the publisher's own title as it stands."""
        return f"[{self.title}]" if self.title_supplied else self.title

    @property
    def title_in_text(self) -> str:
        """The title within a sentence or a list of sources: the publisher's own in quotation
        marks, a supplied one in its square brackets (``cited_title``)."""
        return self.cited_title if self.title_supplied else f"“{self.title}”"

    note: Text | None = None


class Person(Record, frozen=True, kw_only=True):
    """A person, organisation or state that speaks or acts in the sources."""

    name: Text
    kind: PersonKind
    role: Text | None
    # Before source, as curators write it: the field order is the key order of the file.
    aliases: tuple[Text, ...] = ()
    source: Id
    excerpt: Text
    note: Text | None = None


Attribution = Literal["stated", "inferred"]
QuoteForm = Literal["direct", "fragment"]


class Quote(Record, frozen=True):
    """Words a speaker said, verbatim as the source prints them."""

    speaker: Id
    text: Text
    date: PartialDateText
    place: Text | None
    medium: Text
    source: Id
    excerpt: Text
    note: Text | None = None
    contradicts: tuple[Id, ...] = ()
    responds_to: tuple[Id, ...] = ()
    attribution: Attribution = "stated"
    """stated: the excerpt credits the speaker by name; inferred: the curator read who spoke
    from context the excerpt does not hold ("he said"), and the note says why."""
    # Last, and "direct" when left out, so that bases written before it load as they were.
    form: QuoteForm = "direct"
    """direct: the words stand as the speaker said them; fragment: words the source quotes
    inside its own reported speech ("had his army “Too Destroying”")."""


class Term(Record, frozen=True):
    """One term of the ceasefire, in the document's order."""

    text: Text
    quoted: bool
    source: Id
    excerpt: Text
    actors: tuple[Id, ...] = ()
    note: Text | None = None


class Event(Record, frozen=True):
    """Something that happened, dated."""

    date: PartialDateText
    what: Text
    where: Text | None
    actors: tuple[Id, ...]
    source: Id
    excerpt: Text
    note: Text | None = None


class FactBase(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True, gc=False):
    """A whole fact base: the top-level object of facts.json."""

    schema_version: Literal[1]
    sources: list[Source]
    people: list[Person]
    quotes: list[Quote]
    terms: list[Term]
    events: list[Event]
    json_schema: str | None = msgspec.field(default=None, name="$schema")


RecordKind = Literal["source", "person", "quote", "term", "event"]


class Reference(NamedTuple):
    """A field of a record holding the id of another record (or a list of ids)."""

    field: str
    """The field's name, as in the file."""
    target: RecordKind
    """The kind of record the id names."""
    many: bool = False
    """True for a list of ids, False for a single id."""
    counts_as_use: bool = True
    """Whether the reference keeps its target from the never-referred-to warning."""


def _event_text(event: Event) -> str:
    return f"{event.what} ({event.where})" if event.where else event.what


def _person_text(person: Person) -> str:
    return " · ".join([person.name, *person.aliases, *([person.role] if person.role else [])])


class KindOfRecord(NamedTuple):
    """One kind of record: everything the checks, lookups, views and commands list per kind."""

    name: RecordKind
    """The kind's name, as commands print it (``--kind``, ``kb show``)."""
    collection: str
    """The top-level key of the fact base holding the records of this kind."""
    struct: type[Record]
    """The struct the records are decoded with."""
    references: tuple[Reference, ...]
    """The fields naming other records, in the order they are checked."""
    searchable: Callable[[Any], str] | None
    """The text ``kb search`` looks in; None for a kind it does not search."""
    search_rank: int
    """Where equally good search hits of this kind are listed: what was said, then agreed, then
    done, then who."""
    dated: bool
    """Whether the records have a date, so that --since and --until apply to them."""
    unused_warning: str | None = None
    """The warning for a record of this kind nothing refers to, if that is worth one."""
    citable: bool = False
    """Whether ``kb cite`` makes a citation of a record of this kind (``CitableRecord``)."""
    verbatim: bool = False
    """Whether the record's ``text`` must stand verbatim in its ``excerpt``."""


KINDS: tuple[KindOfRecord, ...] = (
    KindOfRecord(
        "source",
        "sources",
        Source,
        references=(),
        searchable=None,
        search_rank=9,
        dated=True,
        unused_warning="no quote, term or event cites this source",
    ),
    KindOfRecord(
        "person",
        "people",
        Person,
        # A person's source says who they are; it is not what the source contributes.
        references=(Reference("source", "source", counts_as_use=False),),
        searchable=_person_text,
        search_rank=3,
        dated=False,
        unused_warning="no quote, term or event involves this person",
    ),
    KindOfRecord(
        "quote",
        "quotes",
        Quote,
        references=(
            Reference("source", "source"),
            Reference("speaker", "person"),
            Reference("contradicts", "quote", many=True),
            Reference("responds_to", "quote", many=True),
        ),
        searchable=lambda quote: quote.text,
        search_rank=0,
        dated=True,
        citable=True,
        verbatim=True,
    ),
    KindOfRecord(
        "term",
        "terms",
        Term,
        references=(Reference("source", "source"), Reference("actors", "person", many=True)),
        searchable=lambda term: term.text,
        search_rank=1,
        dated=False,
        citable=True,
        verbatim=True,
    ),
    KindOfRecord(
        "event",
        "events",
        Event,
        references=(Reference("source", "source"), Reference("actors", "person", many=True)),
        searchable=_event_text,
        search_rank=2,
        dated=True,
        citable=True,
    ),
)
"""Every kind of record, in the order of the fact base's collections."""
KIND: dict[RecordKind, KindOfRecord] = {kind.name: kind for kind in KINDS}
COLLECTIONS: dict[str, type[Record]] = {kind.collection: kind.struct for kind in KINDS}
KIND_BY_STRUCT: dict[type[Record], KindOfRecord] = {kind.struct: kind for kind in KINDS}
KIND_BY_COLLECTION: dict[str, KindOfRecord] = {kind.collection: kind for kind in KINDS}
SEARCHED_KINDS: tuple[RecordKind, ...] = tuple(
    kind.name for kind in sorted(KINDS, key=lambda kind: kind.search_rank) if kind.searchable
)
"""The kinds ``kb search`` looks in, in the order it lists equally good hits."""

CITABLE_KINDS: tuple[RecordKind, ...] = tuple(kind.name for kind in KINDS if kind.citable)
"""The kinds ``kb cite`` cites, in the order of the collections."""
CitableRecord = Quote | Term | Event
"""Records a citation can be made of: the structs of CITABLE_KINDS, spelled out for mypy and
isinstance (tests/test_model.py checks that the two agree)."""
SourcedRecord = Quote | Term | Event | Person
"""Records that name the source they come from (a person: the source that says who they are)."""
