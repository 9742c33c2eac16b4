"""The gate's tests run with its runtime backstop on (see `tests.access.backstop`)."""

from tests.access.backstop import gate_backstop

__all__ = ["gate_backstop"]
