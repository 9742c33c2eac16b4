"""Fixtures the console tests share with the rights tests: a real SMTP sink and settings using it."""

from tests.rights.conftest import mail_settings, sink

__all__ = ["mail_settings", "sink"]
