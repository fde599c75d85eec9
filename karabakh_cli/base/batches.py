"""Read a fact base file a batch of records at a time, never holding it whole, so that a
base of a million quotes (800 MB) is checked and indexed in bounded memory. Never prints.

The file is read in chunks, and each collection's array is cut into pieces of whole records
without a JSON parser written in Python: a piece ends at a "}" that may close a record (one
followed by "," or "]"), and msgspec decoding the piece as an array proves that it does.
Decoding is deterministic, so a piece that starts at a record's first byte and decodes as a
complete array ends exactly at a record boundary: a "}" inside a string leaves the string
unterminated, one inside a nested value leaves a bracket open, and either fails. A wrong
guess costs one more decode of the piece; after a few, the end of the next record is found
by a scan that skips strings whole, slower but exact.

What the reader cannot take this way (a syntax error, a record the model rejects, a
top-level field other than the collections, ``schema_version`` and ``$schema``) raises
NotStreamable, saying what and where.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

import msgspec

from karabakh_cli import model
from karabakh_cli.base import keys
from karabakh_cli.base.problems import syntax_error

# A piece of records decoded at once: large enough that per-piece costs vanish, small enough
# that the pieces in flight cost a few MiB.
PIECE = 4 * 1024 * 1024
# Wrong guesses at a piece's end (a "}" followed by "," inside a string) before the exact scan.
_GUESSES = 4

_SPACE = re.compile(rb"[ \t\r\n]*")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(rb'"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null', re.DOTALL)
# What may follow the "}" that ends a record: more records, or the end of the array.
_RECORD_END = re.compile(rb"\}[ \t\r\n]*[,\]]")
# Everything that is not a string or a bracket, for the exact scan.
_PLAIN = re.compile(rb'[^"\[\]{}]*')
_MSGSPEC_INDEX = re.compile(r"^\$\[(\d+)\]")


# UTF-8's continuation bytes: every other byte starts a character.
_CONTINUATION = bytes(range(0x80, 0xC0))


def _characters(data: bytes) -> int:
    """How many characters the UTF-8 bytes ``data`` hold, a character cut at either end
    counted once: as a column counts them."""
    return len(data.translate(None, _CONTINUATION))


class NotStreamable(Exception):
    """The file cannot be read as a stream of records: what is wrong, and where (its 1-based
    line and column), when known."""

    def __init__(self, message: str, where: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


class TooLarge(Exception):
    """The file holds more than the reader's limit."""


class Batch(NamedTuple):
    """Records of one kind, in the order of the file."""

    kind: model.KindOfRecord
    first_index: int
    """The index in its collection of the first record."""
    first_position: int
    """The place in the file of the first record, counting the records of every collection."""
    records: list[model.Record]
    texts: list[msgspec.Raw]
    """Each record's JSON text, as the file holds it."""
    start: int
    """The byte offset in the file of the first record."""
    end: int
    """The byte offset in the file just past the last record."""


_raw_records = msgspec.json.Decoder(list[msgspec.Raw])


@functools.cache
def _records_of(collection: str) -> msgspec.json.Decoder[list[model.Record]]:
    return msgspec.json.Decoder(list[model.COLLECTIONS[collection]])  # type: ignore[valid-type]


class Reader:
    """The records of one open fact base file, a batch at a time (``batches``); what else
    the top-level object holds is checked as it is met."""

    def __init__(self, file: BinaryIO, limit: int, piece: int | None = None) -> None:
        self._file = file
        self._limit = limit
        self._piece = piece or PIECE
        self._buffer = b""
        # The file offset of the buffer's first byte, the lines that end before it, and the
        # characters of the line it starts in that come before it.
        self._start = 0
        self._lines_before = 0
        self._columns_before = 0
        # The last offset placed, with its line and column (see where).
        self._placed = (-1, 0, 0)
        self._at = 0
        self._ended = False
        self._position = 0

    # -- the buffer ------------------------------------------------------------------------

    def _more(self) -> bool:
        """Read the next chunk into the buffer; False at the end of the file."""
        if self._ended:
            return False
        # As much again as the buffer keeps, at least a piece: a record many pieces long is
        # then copied a few times as the buffer doubles, not once a piece.
        kept = self._start + len(self._buffer) - self._at
        chunk = self._file.read(max(self._piece, kept))
        if not chunk:
            self._ended = True
            return False
        if self._start + len(self._buffer) + len(chunk) > self._limit:
            raise TooLarge
        # Consumed bytes leave the buffer first: it never holds much more than a piece.
        consumed = self._at - self._start
        dropped = self._buffer[:consumed]
        last_newline = dropped.rfind(b"\n")
        if last_newline >= 0:
            self._lines_before += dropped.count(b"\n")
            self._columns_before = _characters(dropped[last_newline + 1 :])
        else:
            self._columns_before += _characters(dropped)
        self._buffer = self._buffer[consumed:] + chunk
        self._start = self._at
        return True

    def _have(self, end: int) -> bool:
        """Make the buffer reach file offset ``end``; False where the file ends before it."""
        while self._start + len(self._buffer) < end:
            if not self._more():
                return False
        return True

    def where(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column (in characters) of a file offset in the buffer.

        Counted on from the offset placed last when it lies before this one in the buffer,
        so placing the many findings of a long line costs the line once, not once a finding.
        """
        placed, line, column = self._placed
        if not self._start <= placed <= offset:
            placed, line, column = self._start, self._lines_before + 1, self._columns_before + 1
        between = self._buffer[placed - self._start : offset - self._start]
        last_newline = between.rfind(b"\n")
        if last_newline < 0:
            column += _characters(between)
        else:
            line += between.count(b"\n")
            column = _characters(between[last_newline + 1 :]) + 1
        self._placed = (offset, line, column)
        return line, column

    def offsets(self, batch: Batch) -> Iterator[int]:
        """The byte offset in the file of each record of ``batch``, the batch last read."""
        return self._offsets(batch.start, batch.texts)

    def _offsets(self, start: int, texts: list[msgspec.Raw]) -> Iterator[int]:
        at = start - self._start
        for text in texts:
            record = bytes(text)
            # Between two records lie only a comma and white space: the first match is it.
            at = self._buffer.index(record, at)
            yield self._start + at
            at += len(record)

    def _error(self, message: str, offset: int | None = None) -> NotStreamable:
        return NotStreamable(message, self.where(self._at if offset is None else offset))

    def _skip_space(self) -> None:
        while True:
            relative = self._at - self._start
            self._at = self._start + _SPACE.match(self._buffer, relative).end()  # type: ignore[union-attr]
            if self._at < self._start + len(self._buffer) or not self._more():
                return

    def _next(self) -> bytes:
        """The next character that is not white space (not consumed); b"" at the end."""
        self._skip_space()
        relative = self._at - self._start
        return self._buffer[relative : relative + 1]

    def _expect(self, character: bytes, what: str) -> None:
        if self._next() != character:
            found = self._next()
            raise self._error(
                f"invalid JSON: expected {what}"
                if found
                else "JSON ends too early: the file is truncated"
            )
        self._at += 1

    def _token(self, pattern: re.Pattern[bytes], what: str) -> object:
        """The JSON value ``pattern`` matches at the reader, decoded, and consumed."""
        self._skip_space()
        if self._next() == b'"':
            # A string, however long, is scanned once (see keys.string_end).
            end = self._skip_string(self._at)
            if end is None:
                raise self._error(f"invalid JSON: expected {what}")
            # Every pattern takes any string: it is for msgspec to tell whether it is valid.
            token = self._buffer[self._at - self._start : end - self._start]
            return self._decoded(token, end, what)
        while True:
            relative = self._at - self._start
            found = pattern.match(self._buffer, relative)
            # A token reaching the buffer's end may go on in the next chunk; so may a string
            # that does not end in it. Anything else is no token, however much is read.
            cut = found is not None and found.end() >= len(self._buffer)
            unended = found is None and self._buffer[relative : relative + 1] == b'"'
            if not (cut or unended) or not self._more():
                break
        if found is None:
            raise self._error(f"invalid JSON: expected {what}")
        return self._decoded(found.group(), self._start + found.end(), what)

    def _decoded(self, token: bytes, end: int, what: str) -> object:
        """The value of the JSON ``token`` at the reader, which ends at file offset ``end``,
        consumed."""
        try:
            value = msgspec.json.decode(token)
        except (msgspec.DecodeError, UnicodeDecodeError):
            raise self._error(f"invalid JSON: expected {what}") from None
        self._at = end
        return value

    def _skip_string(self, at: int) -> int | None:
        """The file offset just past the string whose opening quote is at file offset ``at``,
        reading on as far as it goes; None where the file ends first."""
        at += 1
        while True:
            relative, ended = keys.string_end(self._buffer, at - self._start)
            at = self._start + relative
            if ended:
                return at
            if not self._more():
                return None

    # -- the top level ---------------------------------------------------------------------

    def batches(self) -> Iterator[Batch]:
        """Every record of the file, a batch at a time, in the order of the file."""
        self._expect(b"{", "a JSON object")
        seen: dict[str, object] = {}
        if self._next() == b"}":
            self._at += 1
        else:
            while True:
                self._skip_space()
                # Placed now: reading on may drop the key's bytes from the buffer.
                key_where = self.where(self._at)
                key = self._token(_STRING, "a field name in double quotes")
                assert isinstance(key, str)
                if key in seen:
                    raise NotStreamable(keys.RepeatedKey(key, self._at).message, key_where)
                if key not in model.COLLECTIONS and key not in ("schema_version", "$schema"):
                    raise NotStreamable(f"unknown field {key!r}", key_where)
                self._expect(b":", "':'")
                if key in model.COLLECTIONS:
                    self._expect(b"[", f"an array of {key}")
                    seen[key] = []
                    yield from self._collection(model.KIND_BY_COLLECTION[key])
                else:
                    seen[key] = self._token(_SCALAR, "a value")
                if self._next() == b"}":
                    self._at += 1
                    break
                self._expect(b",", "',' or '}'")
        if self._next():
            raise self._error("invalid JSON: trailing characters")
        self._check_top_level(seen)

    def _check_top_level(self, seen: dict[str, object]) -> None:
        missing = [name for name in ("schema_version", *model.COLLECTIONS) if name not in seen]
        if missing:
            raise NotStreamable(f"object is missing the field {missing[0]!r}")
        if seen["schema_version"] != 1 or type(seen["schema_version"]) is not int:
            raise NotStreamable(f"schema_version must be 1, got {seen['schema_version']!r}")
        if not isinstance(seen.get("$schema"), str | None):
            raise NotStreamable("$schema must be a string or null")

    # -- the records -----------------------------------------------------------------------

    def _collection(self, kind: model.KindOfRecord) -> Iterator[Batch]:
        collection = kind.collection
        index = 0
        if self._next() == b"]":
            self._at += 1
            return
        decoder = _records_of(collection)
        while True:
            start = self._at
            end, piece, texts = self._piece_from(start)
            try:
                records = decoder.decode(piece)
            except msgspec.ValidationError as error:
                raise self._rejected(error, collection, index, start, texts) from None
            except (msgspec.DecodeError, UnicodeDecodeError) as error:
                raise self._error(f"invalid text in {collection}: {error}", start) from None
            first_repeated = next(keys.repeated_in_records(piece, kind.struct, records), None)
            if first_repeated is not None:
                number, repeated = first_repeated
                # The piece starts with the "[" added before the first record.
                where = self.where(start + repeated.offset - 1)
                raise NotStreamable(f"{collection}[{index + number}]: {repeated.message}", where)
            yield Batch(kind, index, self._position, records, texts, start, end)
            index += len(records)
            self._position += len(records)
            self._at = end
            if self._next() == b"]":
                self._at += 1
                return
            self._expect(b",", "',' or ']'")
            self._skip_space()

    def _rejected(
        self,
        error: msgspec.ValidationError,
        collection: str,
        first: int,
        start: int,
        texts: list[msgspec.Raw],
    ) -> NotStreamable:
        """msgspec's message for a record of the piece, naming the record in the file and
        placing it."""
        message, _, path = str(error).partition(" - at `")
        path = path.rstrip("`")
        found = _MSGSPEC_INDEX.match(path)
        if found is None:
            return NotStreamable(f"{path}: {message}" if path else message, self.where(start))
        number = int(found.group(1))
        path = f"{collection}[{first + number}]{path[found.end() :]}"
        offsets = list(self._offsets(start, texts[: number + 1]))
        return NotStreamable(f"{path}: {message}", self.where(offsets[-1]))

    def _piece_from(self, start: int) -> tuple[int, bytes, list[msgspec.Raw]]:
        """The end of the last whole record within a piece's length of ``start`` (at least
        one record), the piece as an array, and each record's text."""
        self._have(start + self._piece + 1)
        low = start - self._start
        high = min(len(self._buffer), low + self._piece)
        for _ in range(_GUESSES):
            close = self._buffer.rfind(b"}", low, high)
            if close < 0:
                break
            high = close
            if not _RECORD_END.match(self._buffer, close):
                continue
            piece = b"[" + self._buffer[low : close + 1] + b"]"
            try:
                return self._start + close + 1, piece, _raw_records.decode(piece)
            except msgspec.DecodeError as error:
                # Past the array's end (the guess was in the next collection), msgspec says
                # where the array closed: the records end before it.
                _, offset = syntax_error(error)
                if offset is not None:
                    high = min(high, low + offset - 1)
        end = self._record_end(start)
        # The scan may have read on, moving the buffer.
        piece = b"[" + self._buffer[start - self._start : end - self._start] + b"]"
        try:
            return end, piece, _raw_records.decode(piece)
        except msgspec.DecodeError as error:
            raise self._syntax(error, start) from None

    def _syntax(self, error: msgspec.DecodeError, start: int) -> NotStreamable:
        described, offset = syntax_error(error)
        # The piece starts with the "[" added before the record.
        at = start + offset - 1 if offset is not None else start
        return self._error(f"invalid JSON: {described}", at)

    def _record_end(self, start: int) -> int:
        """The file offset just past the record starting at ``start``: a scan of its
        brackets that skips strings whole (a string at the top is a value of its own)."""
        depth = 0
        at = start
        while True:
            if not self._have(at + 1):
                raise self._error("JSON ends too early: the file is truncated", at)
            relative = at - self._start
            relative = _PLAIN.match(self._buffer, relative).end()  # type: ignore[union-attr]
            at = self._start + relative
            if relative >= len(self._buffer):
                continue
            character = self._buffer[relative : relative + 1]
            if character == b'"':
                string_end = self._skip_string(at)
                if string_end is None:
                    raise self._error("JSON ends too early: the file is truncated", at)
                at = string_end
                if depth == 0:
                    return at
                continue
            at += 1
            depth += 1 if character in b"[{" else -1
            if depth <= 0:
                return at
