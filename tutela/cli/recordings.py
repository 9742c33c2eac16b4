"""`tutela recordings notice|add|list`: call recordings, kept only after notice.

Policy clause collect.service_use.call_recordings: "Jive may record calls
between its employees and its customers or prospective customers after
giving required notice."

- `notice` records how (a method the policy lists) and when notice was given,
  and whether it reached every party (`record_notice`).
- `add` stores a recording through `store_recording`, which refuses it
  (`RecordingRefused`, exit 2) without a notice of the same account given no
  later than the recording started, or, when a party is in an
  all-party-consent jurisdiction (or one that cannot be told), without a
  notice that covers every party, and refuses a call that is not between
  staff and a customer or prospect, the calls the clause names.
  The audio is encrypted in the blob store under its own key; a file is read
  whole and may be at most `MAX_AUDIO_BYTES` (200 MiB).
- `list` shows ids, account, time, length, notice method and the all-party
  flag: never the audio, never the parties' numbers.

Times must carry a UTC offset (``2025-03-01T15:00:00Z``): a recording is
compared with its notice to the second, so a time without a zone is refused
rather than guessed. Error messages name the option that failed, never the
value given: a party or a file name may hold a phone number.

Every command signs a real staff member in (`--as EMAIL`, see
`tutela.cli._staff`) whose role may use data for `deliver_services`; accounts
and listings are read through the purpose gate as that person
(``staff:<user id>``), so every read is in the audit log under their name.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Annotated, Any, Final

import typer

from tutela.access import Actor, access
from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption, signed_in_staff
from tutela.collect.accounts.numbers import NONE, normalize_number
from tutela.collect.cdr.ingest import find_owner
from tutela.collect.recordings.record import (
    ROLES,
    Party,
    notice_rules,
    record_notice,
    store_recording,
)
from tutela.config import Settings
from tutela.errors import InvalidInput, NotFound
from tutela.store import BlobStore, Store, open_store, utc_aware, utcnow
from tutela.store.models import Account, CallRecording, RecordingNotice

MAX_AUDIO_BYTES: Final = 200 * 1024 * 1024
MAX_DURATION_S: Final = 24 * 60 * 60
FUTURE_SLACK: Final = dt.timedelta(minutes=5)
PURPOSE: Final = "deliver_services"
MEDIA_TYPES: Final = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".m4a": "audio/mp4",
    ".gsm": "audio/gsm",
    ".g722": "audio/g722",
}
_MEDIA_TYPE: Final = re.compile(r"audio/[a-z0-9][a-z0-9.+\-]{0,33}")  # <= 40 chars
_JURISDICTION: Final = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")
_PARTY_FORM: Final = (
    "the form is ROLE:NUMBER@JURISDICTION, number and jurisdiction optional, "
    "e.g. staff@US-UT or customer:NUMBER with the number in E.164 form"
)
_EXAMPLE_TIME: Final = "e.g. 2025-03-01T15:00:00Z or 2025-03-01T08:00:00-07:00"

app = typer.Typer(
    help="Call recordings: notices, recordings (refused without notice), listing.",
    no_args_is_help=True,
)

AccountOption = Annotated[
    str,
    typer.Option(
        "--account", help="Ref of the account the call belongs to.", show_default=False
    ),
]


# ---------------------------------------------------------------- parsing


def parse_time(text: str, option: str) -> dt.datetime:
    """An ISO 8601 instant with a UTC offset, not in the future, as UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"is not an ISO 8601 date-time ({_EXAMPLE_TIME})", field=option
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"needs a UTC offset or Z ({_EXAMPLE_TIME}); a time without one "
            "cannot be compared with the notice",
            field=option,
        )
    value = value.astimezone(dt.UTC)
    if value > utcnow() + FUTURE_SLACK:
        raise InvalidInput("is in the future", field=option)
    return value


def parse_party(text: str, index: int) -> Party:
    """``ROLE[:NUMBER][@JURISDICTION]`` as a `Party` (the number is checked later)."""
    field = f"--party #{index}"
    body, at, place = text.strip().partition("@")
    if "@" in place:
        raise InvalidInput(f"has more than one '@'; {_PARTY_FORM}", field=field)
    role, colon, number = body.partition(":")
    role, number, place = role.strip().lower(), number.strip(), place.strip().upper()
    if role not in ROLES:
        # The text is not echoed: what stands where the role belongs may be a number.
        raise InvalidInput(
            f"the role must be staff, customer or prospect; {_PARTY_FORM}", field=field
        )
    if colon and not number:
        raise InvalidInput(
            f"nothing after ':'; give a number or leave out the ':'; {_PARTY_FORM}",
            field=field,
        )
    if at and not _JURISDICTION.fullmatch(place):
        raise InvalidInput(
            "the jurisdiction after '@' must be an ISO 3166 code such as US-CA, "
            f"CA-QC or GB; {_PARTY_FORM}",
            field=field,
        )
    return Party(role=role, number=number or None, jurisdiction=place or None)


def parse_parties(texts: list[str]) -> list[Party]:
    """Every `--party`, at least two (`store_recording` checks their roles)."""
    if len(texts) < 2:
        raise InvalidInput(
            "give every party to the call, at least two (e.g. --party staff@US-UT "
            "--party customer:NUMBER)",
            field="--party",
        )
    return [parse_party(text, i) for i, text in enumerate(texts, start=1)]


def check_numbers(parties: list[Party], region: str) -> None:
    """Every party's number is a phone number (read in `region`) or an extension."""
    for index, party in enumerate(parties, start=1):
        if party.number is not None and normalize_number(party.number, region) == NONE:
            raise InvalidInput(
                f"the number is not a phone number or extension (read in {region}); "
                "give it in E.164 form (+ country code, number)",
                field=f"--party #{index}",
            )


def media_type_for(path: Path, given: str | None) -> str:
    """The audio media type given, else the one the file's extension implies."""
    if given is not None:
        media_type = given.strip().lower()
        if not _MEDIA_TYPE.fullmatch(media_type):
            raise InvalidInput(
                "must be an audio media type such as audio/wav or audio/mpeg",
                field="--media-type",
            )
        return media_type
    guessed = MEDIA_TYPES.get(path.suffix.lower())
    if guessed is None:
        raise InvalidInput(
            "cannot tell the audio format from the file's extension "
            f"(known: {', '.join(sorted(MEDIA_TYPES))}); pass --media-type",
            field="--media-type",
        )
    return guessed


def _header_matches(media_type: str, data: bytes) -> bool:
    """False when a format with a fixed header does not start with it."""
    if media_type == "audio/wav":
        return data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    magic = {"audio/ogg": b"OggS", "audio/flac": b"fLaC"}.get(media_type)
    return magic is None or data.startswith(magic)


def read_audio(path: Path, media_type: str) -> bytes:
    """The whole file: it must exist, be non-empty and at most `MAX_AUDIO_BYTES`.

    Messages name the argument, not the path: recorders often put the
    caller's number in the file name.
    """
    field = "AUDIO_FILE"
    limit = f"{MAX_AUDIO_BYTES // (1024 * 1024)} MiB"
    try:
        if path.is_dir():
            raise InvalidInput("is a directory, not an audio file", field=field)
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_AUDIO_BYTES:
                raise InvalidInput(f"is larger than {limit}", field=field)
            data = handle.read(MAX_AUDIO_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput("does not exist", field=field) from None
    except PermissionError:
        raise InvalidInput("cannot be read (permission denied)", field=field) from None
    except OSError as exc:
        raise InvalidInput(
            f"cannot be read ({exc.strerror or 'I/O error'})", field=field
        ) from None
    if not data:
        raise InvalidInput("is empty", field=field)
    if len(data) > MAX_AUDIO_BYTES:
        raise InvalidInput(f"is larger than {limit}", field=field)
    if not _header_matches(media_type, data):
        raise InvalidInput(
            f"is not {media_type} (its header does not match)", field=field
        )
    return data


# ---------------------------------------------------------------- reads


def recordings_staff(
    store: Store, settings: Settings, as_email: str | None, *, action: str
) -> Actor:
    """The signed-in staff member, whose role may use `deliver_services`."""
    return signed_in_staff(
        store, settings, as_email, purpose=PURPOSE, action=action
    ).actor


def account_by_ref(store: Store, ref: str, *, actor: Actor) -> Account:
    """The account with this ref, read through the purpose gate; `NotFound` if none."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        found = use.select(Account, Account.ref == ref)
    if not found:
        raise NotFound(f"account {ref} does not exist", errors=["field: account"])
    return found[0]


def recording_listing(
    store: Store, *, actor: Actor, account_id: int | None
) -> list[dict[str, Any]]:
    """Id, account ref, time, length, notice method, all-party flag; oldest first."""
    where = [
        CallRecording.account_id == Account.id,
        CallRecording.notice_id == RecordingNotice.id,
    ]
    if account_id is not None:
        where.append(CallRecording.account_id == account_id)
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            CallRecording.id,
            Account.ref,
            CallRecording.recorded_at,
            CallRecording.duration_s,
            RecordingNotice.method,
            CallRecording.all_party_consent,
            where=where,
            order_by=[CallRecording.recorded_at, CallRecording.id],
        )
    return [
        {
            "id": id_,
            "account": ref,
            "recorded_at": utc_aware(recorded_at).astimezone(dt.UTC).isoformat(),
            "duration_s": duration_s,
            "notice_method": method,
            "all_party_consent": bool(all_party),
        }
        for id_, ref, recorded_at, duration_s, method, all_party in rows
    ]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


# ---------------------------------------------------------------- commands


CallOption = Annotated[
    int | None,
    typer.Option(
        "--call",
        help="Id of the call record the notice was given on / the recording is of.",
        show_default=False,
    ),
]


@app.command("notice")
def notice_command(
    account: AccountOption,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="How notice was given: announcement_prompt, verbal or written "
            "(the methods the policy lists).",
            show_default=False,
        ),
    ],
    given_at: Annotated[
        str,
        typer.Option(
            "--given-at",
            help="When notice was given: ISO 8601 with a UTC offset, e.g. "
            "2025-03-01T15:00:00Z.",
            show_default=False,
        ),
    ],
    covers_all_parties: Annotated[
        bool,
        typer.Option(
            "--covers-all-parties/--not-all-parties",
            help="Whether every party to the call received the notice (needed "
            "where a party is in an all-party-consent jurisdiction). Default: "
            "--not-all-parties, the narrower claim.",
            show_default=False,
        ),
    ] = False,
    call: CallOption = None,
    number: Annotated[
        str | None,
        typer.Option(
            "--number",
            help="A standing notice for calls on this number of the account only "
            "(e.g. the support line's announcement). Default: every call of the "
            "account.",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="When a standing notice stopped being given (ISO 8601 with a UTC "
            "offset). Default: open-ended.",
            show_default=False,
        ),
    ] = None,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Record that notice of recording was given; prints the notice id.

    With --call the notice covers that one call; otherwise it is a standing
    notice for the account's calls (on --number only) from --given-at until
    --until.
    """
    when = parse_time(given_at, "--given-at")
    ends = parse_time(until, "--until") if until else None
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = recordings_staff(store, settings, as_email, action="record a notice")
        policy = store.policy()
        methods = [str(m) for m in notice_rules(policy).methods]
        if method not in methods:
            raise InvalidInput(f"must be one of {', '.join(methods)}", field="--method")
        owner = account_by_ref(store, account, actor=actor)
        with store.session() as session:
            notice = record_notice(
                session,
                account=owner,
                method=method,
                given_at=when,
                covers_all_parties=covers_all_parties,
                policy=policy,
                call_record_id=call,
                number=number,
                valid_until=ends,
                actor=actor,
            )
            notice_id = notice.id
            scope = {
                "scope": notice.scope,
                "call_record_id": notice.call_record_id,
                "number": notice.number_e164,
                "until": ends.isoformat() if ends else None,
            }
    if json:
        emit_json(
            {
                "notice_id": notice_id,
                "account": account,
                "method": method,
                "given_at": when.isoformat(),
                "covers_all_parties": covers_all_parties,
            }
            | scope
        )
        return
    stdout.print(
        f"notice {notice_id} recorded for account {account}: {method} at "
        f"{when.isoformat()}, covers all parties: {_yes(covers_all_parties)}, "
        f"scope: {scope['scope']}",
        markup=False,
    )


@app.command("add")
def add_command(
    audio_file: Annotated[
        Path,
        typer.Argument(
            help=f"The recording's audio (at most {MAX_AUDIO_BYTES // (1024 * 1024)} "
            "MiB, read whole).",
            show_default=False,
        ),
    ],
    account: AccountOption,
    notice: Annotated[
        int,
        typer.Option(
            "--notice",
            help="Id of the notice given before the call (see `recordings notice`).",
            show_default=False,
        ),
    ],
    recorded_at: Annotated[
        str,
        typer.Option(
            "--recorded-at",
            help="When the recording started: ISO 8601 with a UTC offset.",
            show_default=False,
        ),
    ],
    duration: Annotated[
        int,
        typer.Option(
            "--duration",
            help=f"Length in seconds (0 to {MAX_DURATION_S}).",
            show_default=False,
        ),
    ],
    party: Annotated[
        list[str],
        typer.Option(
            "--party",
            help="A party to the call as ROLE:NUMBER@JURISDICTION (number and "
            "jurisdiction optional), role staff, customer or prospect; repeat for each (at least one staff and one "
            "customer or prospect). Without a jurisdiction it is derived from the "
            "number; when it cannot be told the call counts as all-party-consent.",
            show_default=False,
        ),
    ],
    media_type: Annotated[
        str | None,
        typer.Option(
            "--media-type",
            help="Audio media type, e.g. audio/wav. Default: from the file's "
            "extension (.wav, .mp3, .ogg, .opus, .flac, .m4a, .gsm, .g722).",
            show_default=False,
        ),
    ] = None,
    call: CallOption = None,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Store a call recording, encrypted; refused (exit 2) without a valid notice."""
    when = parse_time(recorded_at, "--recorded-at")
    if not 0 <= duration <= MAX_DURATION_S:
        raise InvalidInput(f"must be 0 to {MAX_DURATION_S} seconds", field="--duration")
    parties = parse_parties(party)
    kind = media_type_for(audio_file, media_type)
    audio = read_audio(audio_file, kind)
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = recordings_staff(store, settings, as_email, action="add a recording")
        owner = account_by_ref(store, account, actor=actor)
        check_numbers(parties, owner.region)
        blobs = BlobStore.in_data_dir(store.data_dir)
        blob_id: str | None = None
        try:
            with store.session() as session:
                recording = store_recording(
                    session,
                    blobs,
                    account=owner,
                    notice_id=notice,
                    parties=parties,
                    recorded_at=when,
                    duration_s=duration,
                    audio=audio,
                    media_type=kind,
                    policy=store.policy(),
                    call_record_id=call,
                    actor=actor,
                )
                blob_id = recording.audio_blob_id
                recording_id = recording.id
                all_party = recording.all_party_consent
        except BaseException:
            if blob_id is not None:  # the commit failed: leave no orphan audio
                blobs.discard(blob_id)
            raise
    summary = {
        "recording_id": recording_id,
        "account": account,
        "notice_id": notice,
        "recorded_at": when.isoformat(),
        "duration_s": duration,
        "all_party_consent": all_party,
        "media_type": kind,
        "size": len(audio),
    }
    if json:
        emit_json(summary)
        return
    stdout.print(
        f"recording {recording_id} stored for account {account} (notice {notice}, "
        f"all-party consent: {_yes(all_party)}); audio encrypted",
        markup=False,
    )


@app.command("list")
def list_command(
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account's recordings.")
    ] = None,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """List recordings (id, account, time, length, notice method, all-party flag)."""
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = recordings_staff(store, settings, as_email, action="list recordings")
        owner = find_owner(store, account, actor=actor).id if account else None
        rows = recording_listing(store, actor=actor, account_id=owner)
    if json:
        emit_json({"data": rows, "count": len(rows)})
        return
    for row in rows:
        stdout.print(
            f"{row['id']:>6}  {row['account']}  {row['recorded_at']}  "
            f"{row['duration_s']}s  {row['notice_method']}  "
            f"all-party consent: {_yes(row['all_party_consent'])}",
            markup=False,
        )
