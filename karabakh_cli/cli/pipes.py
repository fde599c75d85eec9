"""A reader that closes the pipe early is not an error.

``kb timeline | head -n 1`` or ``kb timeline | true`` may close stdout before kb has written
everything; kb then stops writing, says nothing about it, and exits with the code of what it
found.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO, cast


class _ClosedPipeTolerant:
    """A standard stream for which a reader that went away ends the output, not the command."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._reader_gone = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    @property
    def closed(self) -> bool:
        """Closed too once its reader went away: a writer of rows made as they are written
        stops making them (render.write)."""
        return self._reader_gone or self._stream.closed

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._discard_the_rest()
            return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._discard_the_rest()

    def _discard_the_rest(self) -> None:
        """Point the stream's file descriptor at /dev/null: what is still buffered, and
        Python's own flush at exit, then go nowhere instead of failing again."""
        self._reader_gone = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):
            pass  # not a real file (a test's capture): nothing is left to fail at exit
        finally:
            os.close(devnull)


@contextlib.contextmanager
def closed_pipes_end_output() -> Iterator[None]:
    """Within this block, writing to a closed stdout or stderr, or flushing it, stops the
    output quietly instead of raising BrokenPipeError; stdout is flushed at the end."""
    streams = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, _ClosedPipeTolerant(sys.stdout))
    sys.stderr = cast(TextIO, _ClosedPipeTolerant(sys.stderr))
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout, sys.stderr = streams
