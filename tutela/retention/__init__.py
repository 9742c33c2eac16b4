"""Retention: the policy's fixed periods applied, and nothing else deleted.

Clauses: collect.* retention (website activity and ad clicks, access-request
records), scope.web_unlinked (visitor-hash salts of past days destroyed).
"""

from tutela.retention.run import run_retention

__all__ = [
    "run_retention",
]
