"""Fixtures for the attack pass: a real SMTP sink, on SQLite.

Each test here is an attack that works against the product today and
asserts the safe behaviour, so it fails until the hole is closed. None of
them depends on the database engine, so they run on SQLite only (the
machine they were written on is shared); `store`, `clock` and the rest come
from tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fresh_sqlite_data
from tests.rights.conftest import Sink, mail_settings, sink
from tutela.config import Settings

__all__ = ["Sink", "mail_settings", "settings", "sink"]


@pytest.fixture
def settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    """A fresh SQLite store; mail received by our own MTA counts as checked."""
    data = tmp_path / "tutela-data"
    fresh_sqlite_data(data, sqlite_template)
    return Settings(data=data, trusted_authserv_id="mx.jive.example")
