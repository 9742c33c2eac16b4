"""Call recordings: stored only after notice, every party covered where the law says.

Policy clause ``collect.service_use.call_recordings``: "Jive may record calls
between its employees and its customers or prospective customers after
giving required notice." The category's ``notice`` block in the policy data
lists the notice methods (announcement prompt, verbal, written) and the
all-party-consent jurisdictions.

- `record_notice` keeps how and when notice was given.
- `store_recording` refuses (`RecordingRefused`, exit 2 / HTTP 403) unless a
  notice of the same account exists, uses a declared method, was given no
  later than the recording started and covers it: the very call it was
  given on, or a standing notice whose number and time window the recording
  falls in (`tutela.collect.recordings.notice_scope`). Where any party is in an
  all-party-consent jurisdiction (the policy lists US states, Canada and
  every other country), or a party's jurisdiction cannot be told, the
  notice must cover every party. The schema backs this up:
  ``call_recordings.notice_id`` is NOT NULL.
- Only calls between staff and a customer or prospect may be recorded: the
  clause names no others.
- A party's jurisdiction is the one given, else derived from their number
  (country; for the US and Canada, the state or province of the area code).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import phonenumbers
from phonenumbers import geocoder
from sqlalchemy.orm import Session

from tutela.access import Actor
from tutela.access.reads import notice_row
from tutela.collect._gate import COLLECT, reading
from tutela.collect.accounts.numbers import normalize_number
from tutela.collect.recordings.notice_scope import (
    check_covers,
    needs_every_party,
    scope_fields,
)
from tutela.errors import Forbidden, InvalidInput
from tutela.policy import Notice, Policy
from tutela.store import BlobStore
from tutela.store.models import Account, CallRecording, RecordingNotice

log = logging.getLogger(__name__)

ROLES: Final = frozenset({"staff", "customer", "prospect"})
# fmt: off
_STATES: Final = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR",
    "California": "CA", "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE",
    "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID",
    "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
    "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
    "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE",
    "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ",
    "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
    "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR",
    "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT",
    "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
    "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
    "Washington D.C.": "DC",
}
_PROVINCES: Final = {
    "Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB",
    "New Brunswick": "NB", "Newfoundland and Labrador": "NL",
    "Nova Scotia": "NS", "Ontario": "ON", "Prince Edward Island": "PE",
    "Quebec": "QC", "Saskatchewan": "SK", "Northwest Territories": "NT",
    "Nunavut": "NU", "Yukon": "YT",
}
# fmt: on


class RecordingRefused(Forbidden):
    """A recording the policy does not allow us to keep (no or too narrow notice)."""


@dataclass(frozen=True, slots=True)
class Party:
    """One party to a recorded call: a role, and a number and/or jurisdiction."""

    role: str
    number: str | None = None
    jurisdiction: str | None = None


def jurisdiction_of(number: str | None, region: str) -> str | None:
    """ISO 3166 code for where a number is (``US-CA``, ``GB``), or None."""
    if not number:
        return None
    e164 = normalize_number(number, region).e164
    if e164 is None:
        return None
    parsed = phonenumbers.parse(e164)
    country = phonenumbers.region_code_for_number(parsed)
    if country not in ("US", "CA"):
        return country
    place = geocoder.description_for_number(parsed, "en")
    if len(place) > 4 and place[-4:-2] == ", ":
        return f"{country}-{place[-2:]}"
    code = (_STATES if country == "US" else _PROVINCES).get(place)
    return f"{country}-{code}" if code else None


def notice_rules(policy: Policy) -> Notice:
    """The notice block of the call_recordings category in the policy data."""
    notice = policy.category("call_recordings").notice
    if notice is None:
        raise InvalidInput(
            "the policy's call_recordings category has no notice block",
            field="notice",
        )
    return notice


def record_notice(
    session: Session,
    *,
    account: Account,
    method: str,
    given_at: dt.datetime,
    covers_all_parties: bool,
    policy: Policy,
    call_record_id: int | None = None,
    number: str | None = None,
    valid_until: dt.datetime | None = None,
    actor: Actor = COLLECT,
) -> RecordingNotice:
    """Keep how, when and for what notice of recording was given.

    With ``call_record_id`` the notice covers that call of the account only;
    without it, it is a standing notice for the account's calls (on
    ``number`` only, if given) from ``given_at`` until ``valid_until``
    (`tutela.collect.recordings.notice_scope`). The call is read through the
    gate inside this write as ``actor`` (who records the notice; default
    the write path's own job), for `deliver_services`.
    """
    methods = [str(m) for m in notice_rules(policy).methods]
    if method not in methods:
        raise InvalidInput(f"must be one of {', '.join(methods)}", field="method")
    if given_at.tzinfo is None:
        raise InvalidInput("must carry a time zone", field="given_at")
    scope = scope_fields(
        session,
        actor=actor,
        account=account,
        given_at=given_at,
        call_record_id=call_record_id,
        number=number,
        valid_until=valid_until,
    )
    notice = RecordingNotice(
        account_id=account.id,
        method=method,
        given_at=given_at,
        covers_all_parties=covers_all_parties,
        **scope,
    )
    session.add(notice)
    session.flush()
    log.info("recording.notice account_id=%d notice_id=%d", account.id, notice.id)
    return notice


def _check_notice(
    notice: RecordingNotice | None,
    account: Account,
    recorded_at: dt.datetime,
    all_party: bool,
    rules: Notice,
    *,
    call_record_id: int | None,
    numbers: list[str | None],
) -> RecordingNotice:
    if notice is None or notice.account_id != account.id:
        raise RecordingRefused(
            "call recording refused: no notice record for this account; give "
            "notice (announcement prompt, verbal or written), record it with "
            "record_notice, then store the recording with its notice id"
        )
    if notice.method not in {str(m) for m in rules.methods}:
        raise RecordingRefused("call recording refused: notice method not allowed")
    given = notice.given_at
    if given.tzinfo is None:  # SQLite hands back naive UTC
        given = given.replace(tzinfo=dt.UTC)
    if given > recorded_at:
        raise RecordingRefused(
            "call recording refused: notice was given after the recording started"
        )
    uncovered = check_covers(
        notice, recorded_at=recorded_at, call_record_id=call_record_id, numbers=numbers
    )
    if uncovered:
        raise RecordingRefused(uncovered)
    if all_party and not notice.covers_all_parties:
        raise RecordingRefused(
            "call recording refused: a party is in an all-party-consent "
            "jurisdiction (or in one that cannot be told); the notice must "
            "cover every party"
        )
    return notice


def store_recording(
    session: Session,
    blobs: BlobStore,
    *,
    account: Account,
    notice_id: int | None,
    parties: Sequence[Party],
    recorded_at: dt.datetime,
    duration_s: int,
    audio: bytes,
    media_type: str,
    policy: Policy,
    call_record_id: int | None = None,
    actor: Actor = COLLECT,
) -> CallRecording:
    """Store a recording with its notice, or raise `RecordingRefused`.

    The notice is read through the gate inside this write as ``actor`` (who
    adds the recording; default the write path's own job).
    """
    if recorded_at.tzinfo is None:
        raise InvalidInput("must carry a time zone", field="recorded_at")
    if len(parties) < 2 or any(p.role not in ROLES for p in parties):
        raise InvalidInput(
            "needs two or more parties, each staff, customer or prospect",
            field="parties",
        )
    roles = {p.role for p in parties}
    if "staff" not in roles or not roles & {"customer", "prospect"}:
        # The clause covers calls "between its employees and its customers or
        # prospective customers" and no others.
        raise RecordingRefused(
            "call recording refused: the policy allows recording calls between "
            "staff and customers or prospects; give at least one staff party and "
            "one customer or prospect party"
        )
    if duration_s < 0:
        raise InvalidInput("must not be negative", field="duration_s")
    rules = notice_rules(policy)
    places = [
        p.jurisdiction or jurisdiction_of(p.number, account.region) for p in parties
    ]
    all_party = any(
        needs_every_party(place, rules.all_party_consent_jurisdictions)
        for place in places
    )
    numbers = [
        normalize_number(p.number, account.region).e164 if p.number else None
        for p in parties
    ]
    notice = None
    if notice_id is not None:
        with reading(session, actor=actor) as use:
            notice = notice_row(use, notice_id)
    notice = _check_notice(
        notice,
        account,
        recorded_at,
        all_party,
        rules,
        call_record_id=call_record_id,
        numbers=numbers,
    )
    described = [
        {"role": p.role, "number": number, "jurisdiction": place}
        for p, number, place in zip(parties, numbers, places, strict=True)
    ]
    blob = blobs.put(session, account_id=account.id, data=audio, media_type=media_type)
    try:
        recording = CallRecording(
            account_id=account.id,
            notice_id=notice.id,
            call_record_id=call_record_id,
            parties=json.dumps(described, sort_keys=True),
            recorded_at=recorded_at,
            duration_s=duration_s,
            audio_blob_id=blob.id,
            all_party_consent=all_party,
        )
        session.add(recording)
        session.flush()
    except BaseException:
        blobs.discard(blob.id)
        raise
    log.info("recording.stored account_id=%d recording_id=%d", account.id, recording.id)
    return recording


__all__ = [
    "ROLES",
    "Party",
    "RecordingRefused",
    "jurisdiction_of",
    "notice_rules",
    "record_notice",
    "store_recording",
]
