"""The canonical encoding of an audit entry and the checks on what goes into it.

Clause: secure.measures. The hash of entry n is

    SHA-256( UTF-8( "tutela-audit-v1" US seq US at US actor US action
                    US purpose' US subjects US details US prev_hash ) )

where US is the ASCII unit separator (U+001F), `seq` is in decimal, `purpose'`
is "~" for none and "'" + purpose otherwise, and `subjects` and `details` are
canonical JSON texts (sorted keys, no whitespace, UTF-8): exactly the text
stored in the row. No valid field can contain U+001F (ids and actions are
checked against patterns, and JSON escapes control characters), so a row
whose encoding equals a valid entry's has the very same fields: the encoding
is injective where it matters, and it costs a single string format per entry
(JSON-encoding the row would halve verification speed).

Entries name people by surrogate id only. Strings in `details` are checked
so that nobody slips an e-mail address or a phone number into the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping

from tutela.errors import InvalidInput
from tutela.store import utcnow

ENCODING = "tutela-audit-v1"
GENESIS = "0" * 64
ENTRY_FORMAT = ENCODING + "\x1f%d\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s"

_canonical = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True
).encode

ACTOR_ID = re.compile(r"[a-z_]+:[A-Za-z0-9_.\-]{1,100}")
ACTION = re.compile(r"[a-z_]+(\.[a-z_]+)*")
SLUG = re.compile(r"[a-z][a-z0-9_]*")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_UNSAFE = re.compile(r"@|\d{7,}|[\x00-\x1f\x7f]")


def utc_stamp(now: dt.datetime | None = None) -> str:
    """Fixed-width UTC time, so the text sorts and hashes the same everywhere."""
    moment = (now or utcnow()).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    purpose: str | None,
    subjects: str,
    details: str,
    prev_hash: str,
) -> str:
    tagged = "~" if purpose is None else "'" + purpose
    body = ENTRY_FORMAT % (seq, at, actor, action, tagged, subjects, details, prev_hash)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def encode_subjects(subjects: Iterable[int]) -> str:
    ids = sorted({int(s) for s in subjects})
    if ids and ids[0] < 0:
        raise InvalidInput(
            "subject ids are non-negative surrogate ids", field="subjects"
        )
    return _canonical(ids)


def encode_details(details: Mapping[str, object] | None) -> str:
    value = dict(details or {})
    _check_value(value, "details")
    return _canonical(value)


def check_entry_fields(actor: str, action: str, purpose: str | None) -> None:
    if not ACTOR_ID.fullmatch(actor):
        raise InvalidInput(
            "an audit actor is a surrogate id like 'staff:42' or 'system:billing_run'",
            field="actor",
        )
    if not ACTION.fullmatch(action):
        raise InvalidInput("an audit action is dotted lower-case", field="action")
    if purpose is not None and not SLUG.fullmatch(purpose):
        raise InvalidInput("a purpose is a policy purpose id", field="purpose")


def _check_value(value: object, where: str) -> None:
    if value is None or isinstance(value, bool | int | float):
        return
    if isinstance(value, str):
        if len(value) > 300 or _UNSAFE.search(value):
            raise InvalidInput(
                "audit details hold ids, counts and policy terms only "
                "(no addresses, numbers or long text)",
                field=where,
            )
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_value(item, f"{where}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not _KEY.fullmatch(key):
                raise InvalidInput("detail keys are lower-case slugs", field=where)
            _check_value(item, f"{where}.{key}")
        return
    raise InvalidInput(f"unsupported value of type {type(value).__name__}", field=where)
