"""Where local mode keeps its data (the SQLite file): never a folder that depends on where a command is started.

Without ``VCE_DATA_DIR`` it is the platform's per-user data folder (``platformdirs``: ``$XDG_DATA_HOME`` or
``~/.local/share/video-call-escalation`` on Linux, ``~/Library/Application Support/video-call-escalation`` on macOS,
``%LOCALAPPDATA%\\video-call-escalation`` on Windows), so ``vce demo``, ``vce serve`` and ``vce agents`` find the same
database from any folder. A relative ``VCE_DATA_DIR`` (``~`` expanded) is taken from the folder the command starts
in, like any path typed in a shell, and made absolute at once: the commands print the folder they use.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = 'video-call-escalation'


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def absolute_data_dir(value: Path) -> Path:
    """``value`` as an absolute path (relative values from the current folder), without resolving symlinks."""
    return Path.cwd() / value.expanduser()  # an absolute right-hand side replaces the left
