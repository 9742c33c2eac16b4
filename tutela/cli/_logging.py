"""Logging for every command, set up before it runs (`tutela.logs`).

The level is ``TUTELA_LOG_LEVEL``; unset, the services (``serve``,
``worker``) log their events (info), and the other commands, whose output
is their report, only what went wrong (warning).
"""

from __future__ import annotations

from typing import Final

from tutela import logs
from tutela.config import load_settings
from tutela.errors import InvalidInput

SERVICES: Final = frozenset({"serve", "worker"})
_SETTING: Final = "TUTELA_LOG_LEVEL"


def start_logging(command: str | None) -> None:
    """Log at ``TUTELA_LOG_LEVEL`` (or the command's default) to stderr."""
    try:
        level = load_settings().log_level
    except InvalidInput as exc:
        if exc.location.field == _SETTING or any(_SETTING in e for e in exc.errors):
            raise
        # Another setting is wrong: the command that reads it says which.
        level = None
    logs.start(level or ("info" if command in SERVICES else "warning"))
