"""The standard streams, and what a failing one does to a run.

- A reader that closes the pipe early is not an error: ``kb timeline | head -n 1`` or
  ``kb timeline | true`` may close stdout before kb has written everything; kb then stops
  writing, says nothing about it, and exits with the code of what it found.
- A stdout that cannot take the output (closed, ``kb terms >&-``; full, ``>/dev/full``; a device
  error) loses what kb found: OutputLost, which the app turns into one line on stderr and exit 3.
- A stderr that cannot take a message (closed or full) changes nothing: the message is lost,
  and kb exits with the code of what it did.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO, cast


class OutputLost(Exception):
    """Standard output cannot take what kb writes; the message says why."""


class _Closed:
    """A standard stream closed before kb started, which Python gives as None: it is no
    terminal, and using it fails as a closed file descriptor does."""

    closed = False

    def _fail(self, *args: object) -> Any:
        raise OSError(errno.EBADF, "it is closed")

    write = read = readline = fileno = _fail

    @property
    def buffer(self) -> _Closed:
        return self

    def flush(self) -> None:
        """Nothing was written, so there is nothing to flush."""

    def isatty(self) -> bool:
        return False


class _Guarded:
    """A standard stream whose first failure to write ends its output: quietly when its reader
    went away or when it is stderr, with OutputLost when stdout loses what kb found."""

    def __init__(self, stream: TextIO | None, *, output: bool) -> None:
        self._stream: Any = _Closed() if stream is None else stream
        self._output = output
        self._ended = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    @property
    def closed(self) -> bool:
        """Closed too once its output ended: a writer of rows made as they are written
        stops making them (render.write)."""
        return self._ended or bool(self._stream.closed)

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            # As a text stream refuses bytes: click probes streams so, to tell text from binary.
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text and not self._ended:  # writing nothing never fails, not even when closed
            try:
                written: int = self._stream.write(text)
            except OSError as error:
                self._end(error)
            else:
                return written
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if not self._ended:
            try:
                self._stream.flush()
            except OSError as error:
                self._end(error)

    def _end(self, error: OSError) -> None:
        """Point the stream's file descriptor at /dev/null, so what is still buffered, and
        Python's own flush at exit, go nowhere instead of failing again; raise OutputLost if
        what kb found is lost."""
        self._ended = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):
            pass  # not a real file (closed, or a test's capture): nothing is left to fail at exit
        finally:
            os.close(devnull)
        if self._output and not isinstance(error, BrokenPipeError):
            raise OutputLost(f"cannot write to standard output: {error.strerror}") from None


def _fill_closed_descriptors() -> None:
    """Open /dev/null on any of the descriptors 0, 1 and 2 closed when kb started, so that no
    file kb opens takes their number, to be written to as stdout or handed to git as stderr."""
    for descriptor in (0, 1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != descriptor:
                os.dup2(opened, descriptor)
                os.close(opened)


@contextlib.contextmanager
def guarded_streams() -> Iterator[None]:
    """Within this block the standard streams fail as the module says: writing to a closed
    pipe ends the output quietly, a lost stdout raises OutputLost, a failing stderr is
    ignored. A stream closed before kb started is one that fails so, not None."""
    streams = sys.stdin, sys.stdout, sys.stderr
    _fill_closed_descriptors()
    sys.stdin = cast(TextIO, _Closed()) if sys.stdin is None else sys.stdin
    sys.stdout = cast(TextIO, _Guarded(sys.stdout, output=True))
    sys.stderr = cast(TextIO, _Guarded(sys.stderr, output=False))
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams


def flush_output() -> None:
    """Flush stdout: OutputLost if what is still buffered cannot be written."""
    sys.stdout.flush()
