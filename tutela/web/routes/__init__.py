"""One router per resource (each module's `router` is mounted by `tutela.web.app`).

Clauses: those of each route module (see their docstrings).
"""

from tutela.web.routes import (
    auth,
    collect,
    console,
    health,
    inbox,
    policy,
    portal,
    sar,
    web_report,
)

__all__ = [
    "auth",
    "collect",
    "console",
    "health",
    "inbox",
    "policy",
    "portal",
    "sar",
    "web_report",
]
