"""The archived texts of a fact base's sources: found, read, checked, and quoted from.

An archive is opened only by ``kb validate`` (every one) and ``kb show`` (the one its record
cites): lookups never read them, so a lookup costs the same whatever the archives weigh, and
still answers when one is missing.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

import msgspec

from karabakh_cli import files, model
from karabakh_cli.base import sentences
from karabakh_cli.text import find_verbatim

# How much of the text either side of an excerpt a TextQuoteSelector carries.
AFFIX_CHARS = 32
# A sentence of the context longer than this is cut, so a text without punctuation cannot
# turn the context into the whole archive.
CONTEXT_CHARS = 1000
_WHITESPACE = re.compile(r"\s+")


class ArchiveError(Exception):
    """An archive that cannot be used; the message says why, in the words of its field."""


class ArchiveChanged(ArchiveError):
    """An archive whose bytes no longer match its SHA-256; carries the text they now hold
    (None when that is not UTF-8), so the excerpts the change breaks can be named too."""

    def __init__(self, message: str, text: str | None) -> None:
        super().__init__(message)
        self.text = text


def archive_file(folder: Path, archive: model.Archive) -> Path:
    """The archive's file inside ``folder``, the fact base's; refuse a path that leaves it."""
    written = archive.path
    if "\\" in written:
        raise ArchiveError(f"path must use / between folders, got {written!r}")
    if PurePosixPath(written).is_absolute() or PureWindowsPath(written).drive:
        raise ArchiveError(f"path must be relative to the fact base's folder, got {written!r}")
    if ".." in PurePosixPath(written).parts:
        raise ArchiveError(f"path must stay inside the fact base's folder, got {written!r}")
    path = folder / written
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as error:  # a loop of symbolic links
        raise ArchiveError(f"cannot follow {written}: {error}") from None
    # A symbolic link inside the folder could still lead out of it.
    if not resolved.is_relative_to(folder.resolve()):
        raise ArchiveError(f"{written} leads outside the fact base's folder")
    return path


def read_text(folder: Path, archive: model.Archive) -> str:
    """The archived text, once its bytes match the recorded SHA-256; ArchiveError otherwise."""
    if not model.SHA256_FORM.fullmatch(archive.sha256):
        raise ArchiveError(
            f"sha256 must be 64 lower-case hexadecimal digits, got {archive.sha256!r}"
        )
    path = archive_file(folder, archive)
    try:
        # Never a FIFO (it would hang kb) or a device (read on without end).
        data = files.read_regular(path)
    except files.NotRegular as error:
        raise ArchiveError(f"{archive.path} is {error.kind}, not a text file") from None
    except files.TooLarge:
        most = files.MAX_BYTES // files.MIB
        raise ArchiveError(
            f"{archive.path} is over {most} MiB; kb reads at most {most} MiB"
        ) from None
    except FileNotFoundError:
        raise ArchiveError(f"no such file {archive.path!r} beside the fact base") from None
    except OSError as error:
        raise ArchiveError(f"cannot read {archive.path}: {error.strerror or error}") from None
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = None
        byte = data[error.start]
        not_utf8 = f"{archive.path} is not UTF-8 text (byte 0x{byte:02x} at offset {error.start})"
    digest = hashlib.sha256(data).hexdigest()
    if digest != archive.sha256:
        raise ArchiveChanged(
            f"{archive.path} has changed since it was archived: its SHA-256 is {digest}, "
            f"the fact base records {archive.sha256}",
            text,
        )
    if text is None:
        raise ArchiveError(not_utf8)
    return text


class Passage(msgspec.Struct, frozen=True):
    """Where an excerpt stands in its source's archived text, and the sentences around it.

    ``start`` and ``end`` are code point offsets into the archive decoded as UTF-8, as a W3C
    TextPositionSelector gives them; ``exact``, ``prefix`` and ``suffix`` are the archive's own
    characters, as a TextQuoteSelector gives them.
    """

    path: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    context: str
    """The sentence before the excerpt, the excerpt and the sentence after, on one line."""

    def selector(self) -> dict[str, object]:
        """The passage as ``kb show --json`` gives it to other tools."""
        return {
            "type": "TextPositionSelector",
            "source": self.path,
            "start": self.start,
            "end": self.end,
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }


def locate(text: str, path: str, excerpt: str) -> Passage | None:
    """Where ``excerpt`` stands in the archived ``text``, or None when it does not."""
    found = find_verbatim(text, excerpt)
    if found is None:
        return None
    start, end = found
    # Where each sentence but the first starts, which is also where the one before it ends.
    ends = sentences.starts(text)
    # The sentence holding the excerpt's start begins at the last break before it; the sentence
    # before that one, at the break before that. Likewise after the excerpt's end.
    before = bisect.bisect_right(ends, start)
    after = bisect.bisect_left(ends, end)
    sentences_start = ends[before - 2] if before >= 2 else 0
    sentences_end = ends[after + 1] if after + 1 < len(ends) else len(text)
    context_start = max(sentences_start, start - CONTEXT_CHARS)
    context_end = min(sentences_end, end + CONTEXT_CHARS)
    context = _one_line(text[context_start:context_end])
    if context_start > sentences_start:
        context = "… " + context
    if context_end < sentences_end:
        context += " …"
    return Passage(
        path,
        start,
        end,
        exact=text[start:end],
        prefix=text[max(0, start - AFFIX_CHARS) : start],
        suffix=text[end : end + AFFIX_CHARS],
        context=context,
    )


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def passage_of(facts_path: Path, source: model.Source, excerpt: str) -> Passage:
    """Where ``excerpt`` stands in ``source``'s archived text, beside the fact base file
    ``facts_path``; ArchiveError saying why, when that cannot be known."""
    if source.archive is None:
        raise ArchiveError(f"source {source.id!r} has no archived text")
    text = read_text(facts_path.parent, source.archive)
    found = locate(text, source.archive.path, excerpt)
    if found is None:
        raise ArchiveError(f"the excerpt does not occur verbatim in {source.archive.path}")
    return found
