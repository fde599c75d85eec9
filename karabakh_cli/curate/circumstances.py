"""What a text says around one of its quotations, outside the quotation marks: the date, the
place and the medium it states, the role an apposition gives the speaker, and the document it
credits the words to. Only what the words say, never a guess: a date or place the text does
not state is none. Pure functions over strings (proposing.py's readers).
"""

from __future__ import annotations

import datetime
import re

from karabakh_cli.lookup import crediting
from karabakh_cli.lookup.quotations import find_quotations
from karabakh_cli.model import PartialDate, parse_partial_date

_DOCUMENT_NOUNS = (
    "text|document|agreement|accord|treaty|deal|ceasefire|truce|resolution|declaration|"
    "decree|communiqu[eé]|memorandum|protocol|law|statute|charter|constitution|plan"
)
_DOCUMENT_VERBS = (
    "provides|provided|states|stated|reads|read|says|said|stipulates|stipulated|specifies|"
    "specified|calls for|called for|notes|noted|sets out|set out|requires|required|includes|"
    "included|declares|declared|envisages|foresees|lists|listed"
)
_DOCUMENT_BEFORE = re.compile(
    rf"(?:\b(?:the|this|that|its|their)\s+(?:[\w’'-]+\s+){{0,3}}?(?:{_DOCUMENT_NOUNS})\s+"
    rf"(?:\w+\s+)?(?:{_DOCUMENT_VERBS})|\baccording to (?:the|this|that|its)\s+"
    rf"(?:[\w’'-]+\s+){{0,3}}?(?:{_DOCUMENT_NOUNS}))\s*[:,]?\s*$",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
)
_MONTH = "|".join(_MONTHS)
_DATE = re.compile(
    rf"\b(?:on\s+)?(?:(?P<weekday>{'|'.join(_WEEKDAYS)})\b(?:,?\s+(?=(?:{_MONTH})\b|\d))?)?"
    rf"(?:(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})\b(?:,?\s+(?P<year>\d{{4}}))?"
    rf"|(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH})\b(?:\s+(?P<year2>\d{{4}}))?)?"
    r"|\b(?P<relative>yesterday|today)\b",
    re.IGNORECASE,
)
_MEDIUM_HEADS = (
    "speech|address|interview|press release|statement|press conference|news conference|"
    "briefing|broadcast|post|video|message|letter|communiqu[eé]|tweet|op-ed|column|"
    "television|radio|social media|telegram|twitter|facebook|instagram"
)
_MEDIUM = re.compile(
    r"\b(?:in|on|at|during|via)\s+(?:(?:an?|the|his|her|their|its)\s+)?"
    rf"(?P<medium>(?:[\w-]+\s+){{0,2}}?(?:{_MEDIUM_HEADS})"
    r"(?:\s+(?:with|on)\s+(?-i:(?:the\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*))?)\b",
    re.IGNORECASE,
)
_NOT_IN_A_MEDIUM = frozenset(["of", "the", "a", "an", "to", "for", "with", "and", "that"])
_PLACE = re.compile(r"\b(?P<before>[\w-]+)\s+in\s+(?P<place>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)")
_BEFORE_A_PLACE = frozenset(
    [
        *crediting.VERBS_OF_SAYING,
        *("speaking", "spoke", "reporters", "journalists", "conference", "speech", "address"),
        *("interview", "briefing", "statement", "summit", "meeting"),
    ]
)
_APPOSITIVE = re.compile(r",\s+(?P<role>(?:the|a|an)\s+[^,;:“”«»\"]{3,90}?)\s*,")


def document(before: str) -> str | None:
    """The document the words right before a quotation credit it to ("the text provides",
    "according to the agreement,"), as written; None when they credit none."""
    match = _DOCUMENT_BEFORE.search(before)
    return match.group().strip(" ,:") if match else None


def medium(said: str) -> str | None:
    """How the words were said, where ``said`` states it ("in a televised speech": televised
    speech; "on social media"; "in an interview with Le Monde")."""
    for match in _MEDIUM.finditer(said):
        words = match.group("medium").split()
        if len(words) > 2 and words[-2].lower() in ("on", "with") and _is_calendar(words[-1]):
            words = words[:-2]
        if not any(word.lower() in _NOT_IN_A_MEDIUM for word in words[:-1]) or "with" in words:
            return " ".join(words)
    return None


def place(said: str) -> str | None:
    """Where, where ``said`` puts a place right after a verb of saying or a medium ("said in
    Geneva", "at a briefing in Baku")."""
    for match in _PLACE.finditer(said):
        before, where = match.group("before"), match.group("place")
        if before.lower() in _BEFORE_A_PLACE and not _is_calendar(where):
            return where
    return None


def date(said: str, source_date: str) -> tuple[str | None, str | None]:
    """The one date ``said`` gives, read against the source's date, and the words giving it;
    (None, None) when it gives none, several, or the source's own."""
    try:
        published = parse_partial_date(source_date.rstrip("?"))
    except ValueError:
        return None, None
    dates: dict[str, str] = {}
    for match in _DATE.finditer(said):
        if not match.group().strip() or not any(match.groupdict().values()):
            continue
        found = _date_of(match, published)
        if found:
            dates.setdefault(found, match.group().strip())
    if len(dates) != 1:
        return None, None
    ((given, words),) = dates.items()
    return (None, None) if given == source_date else (given, words)


def role(text: str, after_name: int) -> str | None:
    """The role an apposition right after a name gives: "X, the region's former minister,"
    gives "Region's former minister"."""
    match = _APPOSITIVE.match(text, after_name)
    if not match:
        return None
    found = re.sub(r"^(?:the|a|an)\s+", "", match.group("role"), flags=re.IGNORECASE)
    return found[:1].upper() + found[1:]


def unquoted(excerpt: str) -> str:
    """``excerpt`` with the words inside its quotation marks blanked out: what the text says
    of a quotation is outside it."""
    pieces, done = [], 0
    for quotation in find_quotations(excerpt).quotations:
        if quotation.depth == 0:
            pieces += [excerpt[done : quotation.start], " " * (quotation.end - quotation.start)]
            done = quotation.end
    pieces.append(excerpt[done:])
    return "".join(pieces)


def _is_calendar(words: str) -> bool:
    return words.split()[0].lower() in (*_WEEKDAYS, *_MONTHS)


def _date_of(match: re.Match[str], published: PartialDate) -> str | None:
    """The date a match of _DATE gives, read against the source's date of publication."""
    year, month, day = published.year, published.month, published.day
    relative = (match.group("relative") or "").lower()
    if relative and month and day:
        date = datetime.date(year, month, day) - datetime.timedelta(days=relative == "yesterday")
        return date.isoformat()
    named_month = match.group("month") or match.group("month2")
    if named_month:
        number = _MONTHS.index(named_month.lower()) + 1
        given_day = int(match.group("day") or match.group("day2"))
        given_year = int(match.group("year") or match.group("year2") or year)
        try:
            return datetime.date(given_year, number, given_day).isoformat()
        except ValueError:
            return None
    weekday = (match.group("weekday") or "").lower()
    if weekday and month and day:
        publication = datetime.date(year, month, day)
        back = (publication.weekday() - _WEEKDAYS.index(weekday)) % 7
        return (publication - datetime.timedelta(days=back)).isoformat()
    return None
