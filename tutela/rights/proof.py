"""How much proof each action needs: the one table the code and the docs share.

Clause: rights.access.verification ("Before Jive processes a request, it may
ask for personal information to verify the subject's identity"). Proof is a
property of the action, not of the request: reading a copy, listing
categories, erasing, changing an address or number and changing a
subscription each need the level this table states (CCPA regulations
§7062: a "reasonable degree of certainty" for categories, a "reasonably
high degree" for specific pieces and for deletions that would harm the
consumer; NIST SP 800-63A/B: possession of an authenticator that was bound
before the request, never knowledge alone). `docs/verification.md` prints
the table, and a test checks the page against it.

A fact counts as proof only if nobody else in the subject's life can know
it. Nothing Tutela holds passes that test: a name, a postal code and an
account number are printed on invoices, and a call's number and time are
known to whoever received it. So data points never verify anyone; the
factors are possession of a channel (a code sent to an address, or read
out on a call back to a line), a re-authenticated sign-in, and two
independent privacy officers.

Levels:

- `reasonable`: control of a channel the subject holds today (a code came
  back). A channel set by a correction counts only once a code sent to it
  came back and `corrected_contact_days` have passed.
- `high` (possession): a code to a channel that was on file
  `possession_days` before the request, a sign-in re-authenticated within
  minutes, or a two-officer override. What destroys or redirects data needs
  it, and more: a notice to the channels on file and, for an erasure, a
  cooling-off period in which the person can stop it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from tutela.config import Settings
from tutela.errors import Forbidden


class Level(IntEnum):
    """How certain the identity is; a higher level satisfies every lower one."""

    none = 0
    reasonable = 1
    high = 2


class Action(StrEnum):
    """What a verified request may do."""

    access_copy = "access_copy"
    access_categories = "access_categories"
    erasure = "erasure"
    correct_contact = "correct_contact"
    correct_other = "correct_other"
    subscription = "subscription"


@dataclass(frozen=True)
class Rule:
    """The proof one action needs, and what must happen before it acts."""

    level: Level
    factors: tuple[str, ...]
    notice: str | None
    waits: str | None
    why: str


# The factors that verify a case (`tutela.rights.verification`).
CASE_FACTORS = ("email_code", "phone_code", "signed_in", "staff_override")
# Contact points: changing one redirects every later code and export.
CONTACT_FIELDS = frozenset({"email", "phone"})

PROOF: dict[Action, Rule] = {
    Action.access_categories: Rule(
        Level.reasonable,
        CASE_FACTORS,
        None,
        None,
        "lists what kinds of data are held; reveals that a record exists",
    ),
    Action.access_copy: Rule(
        Level.reasonable,
        CASE_FACTORS,
        None,
        None,
        "releases a copy: the code goes only to a channel on file, whose holder "
        "is the one person the copy is about",
    ),
    Action.correct_other: Rule(
        Level.reasonable,
        CASE_FACTORS,
        "the decision goes to the address on file",
        None,
        "changes a name or postal address; reversible, redirects nothing",
    ),
    Action.correct_contact: Rule(
        Level.high,
        CASE_FACTORS,
        "the old address is told; a code goes to the new value, which proves "
        "nothing until it comes back",
        "the new value verifies no access or erasure request for "
        "corrected_contact_days",
        "redirects every later code, notice and export link",
    ),
    Action.erasure: Rule(
        Level.high,
        CASE_FACTORS,
        "every address on file for the subject is told, with a link to stop it",
        "erasure_cooling_off_days after the notice",
        "irreversible: destroys the subject's records",
    ),
    Action.subscription: Rule(
        Level.reasonable,
        ("email_link",),
        "a confirmation link to the address; nothing changes until it is used",
        None,
        "policy-update mail to an address: only its holder turns it on",
    ),
}


def possession_since(received_at: dt.datetime, settings: Settings) -> dt.datetime:
    """A channel on file at or before this moment proves possession."""
    return received_at - dt.timedelta(days=settings.possession_days)


def code_level(
    on_file_since: dt.datetime | None, received_at: dt.datetime, settings: Settings
) -> Level:
    """The level a code that came back through a channel gives."""
    if on_file_since is not None and on_file_since <= possession_since(
        received_at, settings
    ):
        return Level.high
    return Level.reasonable


def level_of(name: str | None) -> Level:
    """A case's stored level (`verification_level`) as a `Level`."""
    try:
        return Level[name] if name else Level.none
    except KeyError:
        return Level.none


def action_for(kind: str, requested: str | None = None) -> Action:
    """The action a case of `kind` asks for (a correction: the lighter of its two)."""
    if kind == "erasure":
        return Action.erasure
    if kind == "correction":
        return Action.correct_other
    return Action.access_categories if requested == "categories" else Action.access_copy


def correction_action(fields: set[str]) -> Action:
    """Correcting any contact point is a redirect; anything else is not."""
    return Action.correct_contact if fields & CONTACT_FIELDS else Action.correct_other


class ProofTooWeak(Forbidden):
    """The case's verification does not reach the level the action needs."""

    exit_code = 1


def require(action: Action, level: Level, *, case_id: int) -> None:
    """Refuse `action` unless `level` meets its rule (`ProofTooWeak` says how to)."""
    rule = PROOF[action]
    if level >= rule.level:
        return
    raise ProofTooWeak(
        f"case {case_id}: {action.value.replace('_', ' ')} needs {rule.level.name} "
        f"proof and the case has {level.name}: verify again by a code to an "
        "address or line on file since before the possession period, a "
        "re-authenticated sign-in, or a two-officer override "
        "(docs/verification.md)"
    )


__all__ = [
    "CASE_FACTORS",
    "CONTACT_FIELDS",
    "PROOF",
    "Action",
    "Level",
    "ProofTooWeak",
    "Rule",
    "action_for",
    "code_level",
    "correction_action",
    "level_of",
    "possession_since",
    "require",
]
