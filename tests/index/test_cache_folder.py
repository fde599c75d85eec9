"""The cache folder kb's indexes go to: XDG_CACHE_HOME, else ~/.cache, else none."""

from __future__ import annotations

from pathlib import Path

import pytest

from karabakh_cli.base import factbase
from karabakh_cli.index import location


class TestCacheFolder:
    """Where kb keeps its cache, and that having none is no error."""

    def test_xdg_cache_home_is_used_when_absolute(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An absolute XDG_CACHE_HOME holds kb's folder."""
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        assert location.cache_folder() == tmp_path / "kb"

    def test_a_relative_xdg_cache_home_is_ignored(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The XDG spec calls a relative path invalid: kb falls back to ~/.cache."""
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
        monkeypatch.setenv("HOME", str(tmp_path))
        assert location.cache_folder() == tmp_path / ".cache" / "kb"

    def test_no_home_at_all_means_no_cache(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without HOME and with no passwd entry for the uid, there is no cache folder."""
        import pwd

        def no_entry(uid: int) -> pwd.struct_passwd:
            raise KeyError(f"getpwuid(): uid not found: {uid}")

        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        monkeypatch.delenv("HOME", raising=False)
        monkeypatch.setattr(pwd, "getpwuid", no_entry)
        assert location.cache_folder() is None

    @pytest.mark.parametrize("xdg", ["", "relative/cache"])
    def test_a_large_base_loads_without_any_cache_folder(
        self, large: Path, monkeypatch: pytest.MonkeyPatch, xdg: str
    ) -> None:
        """A large base, which would have its verdict remembered, loads quietly with no home."""

        def no_home() -> Path:
            raise RuntimeError("Could not determine home directory.")

        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        monkeypatch.setattr(Path, "home", no_home)
        assert len(factbase.load(large).quotes) == 2000
        assert not Path(xdg or "nowhere").exists()
