"""Clauses that are prose by nature: no code can keep them, so no test proves them.

`tutela policy trace --strict` fails on every clause without a test except
these. Each is listed with why: a heading that introduces a list, a
statement about the policy itself, a legal characterisation that depends
on the law rather than on the system, or a disclaimer that promises
nothing. The promises around them are traced: the list items under a
heading, ``secure.measures`` beside the disclaimers, ``scope.business_only``
and ``scope.web_unlinked`` beside the scope sentences.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

PROSE_CLAUSES: Final = MappingProxyType(
    {
        "intro.scope": "says what the document explains; the clauses it "
        "introduces are traced one by one",
        "intro.consent": "a legal effect of using the services, not a behaviour "
        "of the system",
        "collect.types": "a heading introducing the list of collected "
        "information; each item is traced",
        "scope.may_not_qualify": "a legal characterisation (business data may "
        "not be personal information); the system treats it all as personal",
        "scope.jurisdiction_dependent": "a statement about the law, which "
        "decides what is personal information",
        "scope.addressed": "says what the document addresses",
        "secure.not_perfect": "a disclaimer; the measures themselves are "
        "secure.measures",
        "secure.no_guarantee": "a disclaimer: promises nothing that code could keep",
        "secure.no_responsibility": "a disclaimer of liability, a legal "
        "position rather than a behaviour",
    }
)

__all__ = ["PROSE_CLAUSES"]
