"""lookup.checking: every quotation of a text against the built-in base, on texts written for
each verdict and attribution."""

from __future__ import annotations

import pytest

from karabakh_cli.base import factbase
from karabakh_cli.lookup import checking
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.lookup.quotations import MarkWarning


@pytest.fixture(scope="module")
def base() -> checking.WholeBase:
    path = factbase.builtin_path()
    return checking.WholeBase(LoadedBase(factbase.load(path), path))


def checked(text: str, base: checking.Base) -> list[checking.Checked]:
    return [event for event in checking.check(text, base) if isinstance(event, checking.Checked)]


def one(text: str, base: checking.Base) -> checking.Checked:
    (found,) = checked(text, base)
    return found


def test_a_fragment_of_a_quote_is_verbatim_and_right(base: checking.WholeBase) -> None:
    """A quotation standing in a quote, credited by a verb of saying to its speaker."""
    found = one("Ilham Aliyev said Azerbaijan had “restored its sovereignty”.", base)
    assert (found.match, found.attribution) == ("verbatim", "right")
    assert found.quote is not None and found.quote.id == "q-aliyev-sovereignty"
    assert found.credited.person == "ilham-aliyev"
    assert found.changes is None


def test_a_quotation_holding_a_whole_quote_says_so(base: checking.WholeBase) -> None:
    """contains: the whole quote stands in the quotation, whose own words are marked."""
    found = one("Aliyev said: “We have restored its sovereignty at last”.", base)
    assert found.match == "contains"
    assert found.changes == "[+We have+] restored its sovereignty [+at last+]"


def test_an_altered_quotation_carries_its_diff(base: checking.WholeBase) -> None:
    """altered, with the word diff verdict.compare renders."""
    found = one("Aliyev said Azerbaijan had “restored our sovereignty”.", base)
    assert found.match == "altered"
    assert found.changes == "restored [-its-] [+our+] sovereignty"
    assert found.quote is not None and found.quote.id == "q-aliyev-sovereignty"


def test_an_unknown_quotation_is_none_with_its_nearest(base: checking.WholeBase) -> None:
    """none: no quote matches; the nearest is kept, and the quotation has no quote."""
    found = one("Putin said “the talks on the corridor will resume in spring”.", base)
    assert found.match == "none"
    assert found.quote is None and found.attribution is None
    assert found.candidate is not None and found.candidate.score < 75


def test_a_quotation_credited_to_someone_else_is_wrong(base: checking.WholeBase) -> None:
    """wrong: the text names another person than the quote's speaker; both are known."""
    found = one("Vladimir Putin said Azerbaijan had “restored its sovereignty”.", base)
    assert (found.match, found.attribution) == ("verbatim", "wrong")
    assert found.candidate is not None and found.candidate.speaker.id == "ilham-aliyev"
    assert found.credited.person == "vladimir-putin"


def test_a_pronoun_is_unnamed(base: checking.WholeBase) -> None:
    """unnamed: “he said” names nobody, even with the speaker in the sentence before."""
    found = one(
        "Ilham Aliyev spoke on Wednesday. He said the army had “restored its sovereignty”.", base
    )
    assert found.attribution == "unnamed"
    assert (found.credited.written, found.credited.how) == ("He", "pronoun")


def test_a_name_that_stands_for_nobody_known_has_no_person(base: checking.WholeBase) -> None:
    """A credited name the base does not know is no person, and the credit is wrong."""
    found = one("John Smith said the army had “restored its sovereignty”.", base)
    assert found.credited.people == () and found.credited.person is None
    assert found.attribution == "wrong"


def test_nested_quotations_are_each_checked(base: checking.WholeBase) -> None:
    """A quotation inside another is checked too, in order of the opening marks."""
    text = "The envoy wrote: “Aliyev said ‘restored its sovereignty’ and left.”"
    found = checked(text, base)
    assert [item.quotation.depth for item in found] == [0, 1]
    assert found[1].quotation.text == "restored its sovereignty"
    assert found[1].match == "verbatim"


def test_an_apostrophe_is_no_quotation_mark(base: checking.WholeBase) -> None:
    """Azerbaijan’s and the separatists’ are words, not quotation marks."""
    text = "Azerbaijan’s leader, Ilham Aliyev, said the separatists’ rule was over and he had “restored its sovereignty”."
    events = list(checking.check(text, base))
    assert not [event for event in events if isinstance(event, MarkWarning)]
    assert [event.quotation.text for event in events if isinstance(event, checking.Checked)] == [
        "restored its sovereignty"
    ]


def test_an_unbalanced_mark_is_a_warning_with_its_line(base: checking.WholeBase) -> None:
    """A mark that never closes is a warning, placed on the text's own line."""
    text = "First paragraph.\n\nSecond line here\nand “never closed here.\n"
    (warning,) = [event for event in checking.check(text, base) if isinstance(event, MarkWarning)]
    assert (warning.line, warning.column, warning.problem) == (4, 5, "never closed")


def test_lines_count_across_paragraphs(base: checking.WholeBase) -> None:
    """A quotation's line and column are the text's, whatever paragraph it is in."""
    text = "One.\n\n\nTwo.\n\nAliyev said he had\n  “restored its sovereignty”."
    found = one(text, base)
    assert (found.quotation.line, found.quotation.column) == (7, 3)
    assert text[found.quotation.start : found.quotation.end] == "restored its sovereignty"


def test_a_word_or_two_of_a_longer_quote_is_no_match(base: checking.WholeBase) -> None:
    """“talks” stands in a quote, but a word stands in many texts: none, saying why."""
    found = one("It is not clear what the “talks” mean.", base)
    assert found.match == "none"
    assert found.why_none is not None and "q-" in found.why_none


def test_a_whole_one_word_quote_is_verbatim(base: checking.WholeBase) -> None:
    """A quote of one word (“start”) counts when the quotation is all of it."""
    assert one("Ilham Aliyev told them to “start”.", base).match == "verbatim"


def test_the_comma_before_the_closing_mark_is_no_change(base: checking.WholeBase) -> None:
    """“…talks,” she said: the comma is the quoting convention's, not the speaker's."""
    text = "“There is no celebration for now,” a human rights defender said."
    found = one(text, base)
    assert (found.match, found.attribution) == ("verbatim", "right")


def test_no_quotation_is_unconfirmed(base: checking.WholeBase) -> None:
    """A text without quotation marks checks nothing: the tally is unconfirmed."""
    tally = checking.Tally()
    for found in checked("Nothing quoted here. Aliyev's army moved.", base):
        tally.add(found)
    assert (tally.quotations, tally.outcome) == (0, "unconfirmed")


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Aliyev said he had “restored its sovereignty”.", "confirmed"),
        ("Aliyev said he had “restored our sovereignty”.", "wrong"),
        ("Putin said Azerbaijan had “restored its sovereignty”.", "wrong"),
        ("He said he had “restored its sovereignty”.", "unconfirmed"),
        ("Aliyev said “the corridor opens in spring”.", "unconfirmed"),
    ],
)
def test_the_tally_s_outcome(base: checking.WholeBase, text: str, outcome: str) -> None:
    """confirmed only when all are verbatim and right; wrong on a misquote or misattribution."""
    tally = checking.Tally()
    for found in checked(text, base):
        tally.add(found)
    assert tally.outcome == outcome


def test_binary_input_is_refused_with_its_offset() -> None:
    """A NUL byte is binary input, named with its byte offset."""
    with pytest.raises(checking.Unreadable, match=r"article.md: binary input .*offset 3"):
        checking.decode(b"abc\x00def", "article.md")


def test_non_utf8_input_is_refused_with_its_offset() -> None:
    """Bytes that are not UTF-8 are refused, naming the byte and its offset."""
    with pytest.raises(
        checking.Unreadable, match=r"a.txt: not UTF-8 \(byte 0xe9 at byte offset 3\)"
    ):
        checking.decode("café".encode("latin-1") + b" ok", "a.txt")


def test_a_byte_order_mark_is_dropped() -> None:
    """A UTF-8 byte-order mark is no part of the text."""
    assert checking.decode(b"\xef\xbb\xbf\xe2\x80\x9cx\xe2\x80\x9d", "a") == "“x”"


def test_a_dense_paragraph_is_credited_from_around_each_quotation(
    base: checking.WholeBase,
) -> None:
    """Hundreds of quotations in one paragraph are each credited from their own sentence."""
    sentence = "Ilham Aliyev said Azerbaijan had “restored its sovereignty”. Nobody else spoke. "
    found = checked(sentence * 300, base)
    assert len(found) == 300
    assert {(item.match, item.attribution) for item in found} == {("verbatim", "right")}


def test_an_overlong_quotation_is_not_scored(base: checking.WholeBase) -> None:
    """A quotation longer than any quote is none, saying why, without being scored."""
    found = one("Aliyev said “" + "word " * 2_000 + "”.", base)
    assert found.match == "none" and found.candidate is None
    assert found.why_none is not None and "longer than kb checks" in found.why_none
