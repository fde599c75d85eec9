"""Where the derived index of a fact base is kept, and what it is valid for. Never prints."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from karabakh_cli import __version__
from karabakh_cli.base import factbase

# Below this size a base decodes and checks in a few milliseconds, less than opening an index
# costs; the built-in base (22 KB) never has one.
FROM_BYTES = 1024 * 1024
# Raised whenever what the index stores changes shape: an index of another format is rebuilt.
FORMAT = 11


def cache_folder() -> Path | None:
    """kb's folder in the user's cache, as the XDG base directory spec places it, or None
    where there is none: no home directory, as for a uid without a passwd entry and no HOME.

    The spec says a relative ``XDG_CACHE_HOME`` is invalid and to be ignored.
    """
    configured = Path(os.environ.get("XDG_CACHE_HOME", ""))
    if configured.is_absolute():
        return configured / "kb"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        return None
    return home / ".cache" / "kb" if home.is_absolute() else None


def location(path: Path) -> Path | None:
    """Where the index of the fact base at ``path`` is kept, or None with no cache folder.

    One file per base path, named by a hash of the resolved path, so a rebuilt index replaces
    the old one rather than piling up beside it.
    """
    import hashlib

    folder = cache_folder()
    if folder is None:
        return None
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
    return folder / "index" / f"{name}.sqlite"


def key(path: Path, status: os.stat_result) -> str:
    """What an index is valid for: as git's index keys a file, and kb's version and format."""
    return "\n".join(map(str, (__version__, FORMAT, path.resolve(), *factbase.identity(status))))


def indexable(status: os.stat_result | None) -> bool:
    """Whether a file of this status is one kb keeps an index of: a regular file this large."""
    return status is not None and stat.S_ISREG(status.st_mode) and status.st_size >= FROM_BYTES


def clear(path: Path) -> Path | None:
    """Remove the index of the base at ``path``; return where it was, None if there was none."""
    file = location(path)
    if file is None or not file.exists():
        return None
    file.unlink()
    return file
