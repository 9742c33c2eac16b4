"""Fixtures for the change-procedure tests: a real SMTP sink, settings that use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.rights.conftest import Sink, free_port
from tutela.config import Settings


@pytest.fixture
def sink() -> Iterator[Sink]:
    """Messages a real aiosmtpd server on 127.0.0.1 receives during the test."""
    found = Sink(free_port())
    controller = Controller(found, hostname="127.0.0.1", port=found.port)
    controller.start()
    try:
        yield found
    finally:
        controller.stop()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The sample mail was received by our MTA, mx.jive.example: its results count."""
    return settings.model_copy(update={"trusted_authserv_id": "mx.jive.example"})


@pytest.fixture
def mail_settings(settings: Settings, sink: Sink) -> Settings:
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": sink.port}
    )
