"""Log lines: one logfmt line per event, with event names and surrogate ids only.

Clause secure.measures: a log never carries a personal value. Each module
logs through ``logging.getLogger(__name__)`` a message of the form
``"<event> key=value ..."`` whose values are surrogate ids, counts and
names of things (``"auth.sign_in user_id=12"``), never an address, a
number, a name or a message's text. `start` sends every such line to
stderr as logfmt::

    ts=2024-03-01T10:00:00.123Z level=info logger=tutela.auth.signin event=auth.sign_in user_id=12 request_id=5f0c9a1e2b7d4c36

- ``request_id`` is the web request the line was logged in (`REQUEST_ID`,
  set by the web app for each request; the error page of a failed request
  shows it), absent outside a request.
- An exception attached to a line (``log.exception``, ``exc_info``) is
  written as its type and the place it was raised (``error=ValueError
  at=tutela/x.py:12``), never its text or traceback: both can hold the
  values it failed on.
- A message that is not ``event key=value ...`` (a library's prose) is
  kept whole, quoted, as ``msg``.

The level is the setting ``TUTELA_LOG_LEVEL`` (`tutela.config.Settings`),
read at start-up by every command (`tutela.cli`), ``tutela serve`` and
``tutela worker`` included.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Final, TextIO

LEVELS: Final = ("debug", "info", "warning", "error")

REQUEST_ID: ContextVar[str | None] = ContextVar("tutela_request_id", default=None)
"""The web request being served in this context, for every line logged in it."""

# An event name: lower-case words joined by dots or underscores.
_EVENT = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
# A value that logfmt can carry bare.
_BARE = re.compile(r"[^\s=\"]+")


def _quoted(value: str) -> str:
    if _BARE.fullmatch(value):
        return value
    return (
        '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    )


def raised_at(tb: TracebackType | None) -> str:
    """``path:line`` of the frame that raised (innermost), from the package root.

    For the traceback of a caught exception: where it started, without a
    machine's directories (``tutela/web/app.py:12``,
    ``sqlalchemy/engine/base.py:1977``).
    """
    frames = traceback.extract_tb(tb)
    if not frames:
        return "unknown"
    return f"{_short(frames[-1].filename)}:{frames[-1].lineno}"


def own_frame(tb: TracebackType | None) -> str | None:
    """``path:line`` of the innermost frame in Tutela's own code, if any.

    Where Tutela called the library that raised (the raising frame itself
    may be deep inside SQLAlchemy).
    """
    for frame in reversed(traceback.extract_tb(tb)):
        short = _short(frame.filename)
        if short.startswith("tutela/"):
            return f"{short}:{frame.lineno}"
    return None


def _short(filename: str) -> str:
    parts = Path(filename).parts
    # An installed library first: a checkout may sit in a folder named tutela.
    for root in ("site-packages", "dist-packages", "tutela", "lib"):
        if root in parts:
            index = len(parts) - 1 - parts[::-1].index(root)
            kept = parts[index + 1 :] if root != "tutela" else parts[index:]
            if kept:
                return "/".join(kept)
    return Path(filename).name


class LogfmtFormatter(logging.Formatter):
    """``ts= level= logger= event= ... request_id=`` (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        fields = [
            f"ts={moment.strftime('%Y-%m-%dT%H:%M:%S')}.{moment.microsecond // 1000:03d}Z",
            f"level={record.levelname.lower()}",
            f"logger={record.name}",
        ]
        message = record.getMessage()
        event, _, rest = message.partition(" ")
        pairs = rest.split(" ") if rest else []
        if _EVENT.fullmatch(event) and all(_is_pair(p) for p in pairs):
            fields.append(f"event={event}")
            fields += pairs
        else:
            fields.append(f"msg={_quoted(message)}")
        if record.exc_info and record.exc_info[0] is not None:
            _, exc, tb = record.exc_info
            fields.append(f"error={type(exc).__name__}")
            fields.append(f"at={raised_at(tb)}")
            ours = own_frame(tb)
            if ours is not None and ours != fields[-1][3:]:
                fields.append(f"in={ours}")
        request_id = REQUEST_ID.get()
        if request_id is not None and "request_id=" not in message:
            fields.append(f"request_id={request_id}")
        return " ".join(fields)


def _is_pair(text: str) -> bool:
    key, equals, value = text.partition("=")
    return bool(equals) and bool(key) and key.replace("_", "").isalnum()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the moment of each line."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass  # always the current stderr


def start(level: str) -> None:
    """Log at ``level`` (one of `LEVELS`) and above to stderr, one logfmt line each.

    Idempotent: a second call replaces the handler the first installed and
    leaves any other (a test's capture) in place.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(LogfmtFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Uvicorn's access log would write each client's address and the raw
    # path (download and unsubscribe tokens): the web app logs its own line.
    logging.getLogger("uvicorn.access").disabled = True


__all__ = ["LEVELS", "LogfmtFormatter", "REQUEST_ID", "own_frame", "raised_at", "start"]
