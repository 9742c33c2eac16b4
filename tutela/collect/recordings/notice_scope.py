"""What a notice of recording covers, and whose law asks for every party.

Policy clause ``collect.service_use.call_recordings``: "Jive may record calls
between its employees and its customers or prospective customers after
giving required notice." A notice covers either

- **one call** (``scope = 'call'``): the call record it was given on; a
  recording of any other call is not covered; or
- **standing** (``scope = 'standing'``): an announcement that plays on the
  account's calls, or on one of its numbers (``number_e164``), from
  ``given_at`` until ``valid_until`` (open-ended when not set). A recording
  is covered when it started in that window and, for a number-scoped
  notice, one party is on that number.

`needs_every_party` reads the policy's ``all_party_consent_jurisdictions``:
a US state or Canadian province (``US-CA``), a whole country (``CA``), or
``OTHER`` for every country outside the US and Canada. A party whose place
cannot be told is treated as needing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

from sqlalchemy.orm import Session

from tutela.access import Actor
from tutela.access.reads import call_account
from tutela.collect._gate import COLLECT, reading
from tutela.collect.accounts.numbers import normalize_number
from tutela.errors import InvalidInput
from tutela.store.models import Account, RecordingNotice

CALL: Final = "call"
STANDING: Final = "standing"
_NAMED: Final = frozenset({"US", "CA"})  # the policy's jurisdictions besides OTHER


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def scope_fields(
    session: Session,
    *,
    account: Account,
    given_at: dt.datetime,
    call_record_id: int | None,
    number: str | None,
    valid_until: dt.datetime | None,
    actor: Actor = COLLECT,
) -> dict[str, object]:
    """The scope columns of a new notice, checked (`InvalidInput` otherwise).

    The call named is read through the gate inside the caller's write, as
    ``actor``.
    """
    if call_record_id is not None:
        if number is not None or valid_until is not None:
            raise InvalidInput(
                "a notice covers one call, or is a standing notice with a number "
                "and an end; not both",
                field="call_record_id",
            )
        with reading(session, actor=actor) as use:
            owner = call_account(use, call_record_id)
        if owner != account.id:
            raise InvalidInput("is not a call of this account", field="call_record_id")
        return {"scope": CALL, "call_record_id": call_record_id}
    fields: dict[str, object] = {"scope": STANDING}
    if number is not None:
        e164 = normalize_number(number, account.region).e164
        if e164 is None:
            raise InvalidInput("is not a valid phone number", field="number")
        fields["number_e164"] = e164
    if valid_until is not None:
        if valid_until.tzinfo is None:
            raise InvalidInput("must carry a time zone", field="valid_until")
        if valid_until <= given_at:
            raise InvalidInput(
                "must be after the notice was given", field="valid_until"
            )
        fields["valid_until"] = valid_until
    return fields


def check_covers(
    notice: RecordingNotice,
    *,
    recorded_at: dt.datetime,
    call_record_id: int | None,
    numbers: Iterable[str | None],
) -> str | None:
    """Why the notice's scope does not cover the recording, or None if it does."""
    if notice.scope == CALL:
        if call_record_id is None or notice.call_record_id != call_record_id:
            return (
                "call recording refused: the notice was given on another call; "
                "store the recording with the call it covers, or record a "
                "standing notice"
            )
        return None
    if notice.valid_until is not None and recorded_at >= _aware(notice.valid_until):
        return (
            "call recording refused: the standing notice had ended when the "
            "recording started"
        )
    if notice.number_e164 is not None and notice.number_e164 not in set(numbers):
        return (
            "call recording refused: the standing notice covers calls on another "
            "number; no party is on it"
        )
    return None


def needs_every_party(place: str | None, all_party: Iterable[str]) -> bool:
    """Whether the law of ``place`` ('US-CA', 'GB', None) asks every party."""
    if place is None:
        return True
    listed = set(all_party)
    country = place[:2]
    return (
        place in listed
        or country in listed
        or ("OTHER" in listed and country not in _NAMED)
    )


__all__ = [
    "CALL",
    "STANDING",
    "check_covers",
    "needs_every_party",
    "scope_fields",
]
