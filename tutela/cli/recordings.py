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

The command parses its options (`tutela.collect.recordings.inputs`), calls
the recordings service (`tutela.collect.recordings.service`) and prints.
Every command signs a real staff member in (`--as EMAIL`, see
`tutela.cli._staff`) whose role may use data for `deliver_services`; accounts
and listings are read through the purpose gate as that person
(``staff:<user id>``), so every read is in the audit log under their name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tutela.access import Actor
from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption, signed_in_staff
from tutela.collect.recordings.inputs import (
    MAX_AUDIO_BYTES,
    MAX_DURATION_S,
    check_duration,
    media_type_for,
    parse_parties,
    parse_time,
    read_audio,
)
from tutela.collect.recordings.service import (
    PURPOSE,
    add_notice,
    add_recording,
    list_recordings,
)
from tutela.config import Settings
from tutela.store import Store, open_store

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


def recordings_staff(
    store: Store, settings: Settings, as_email: str | None, *, action: str
) -> Actor:
    """The signed-in staff member, whose role may use `deliver_services`."""
    return signed_in_staff(
        store, settings, as_email, purpose=PURPOSE, action=action
    ).actor


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
        kept = add_notice(
            store,
            actor=actor,
            account_ref=account,
            method=method,
            given_at=when,
            covers_all_parties=covers_all_parties,
            call_record_id=call,
            number=number,
            valid_until=ends,
        )
    scope = {
        "scope": kept.scope,
        "call_record_id": kept.call_record_id,
        "number": kept.number,
        "until": ends.isoformat() if ends else None,
    }
    if json:
        emit_json(
            {
                "notice_id": kept.notice_id,
                "account": account,
                "method": method,
                "given_at": when.isoformat(),
                "covers_all_parties": covers_all_parties,
            }
            | scope
        )
        return
    stdout.print(
        f"notice {kept.notice_id} recorded for account {account}: {method} at "
        f"{when.isoformat()}, covers all parties: {_yes(covers_all_parties)}, "
        f"scope: {kept.scope}",
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
    check_duration(duration)
    parties = parse_parties(party)
    kind = media_type_for(audio_file, media_type)
    audio = read_audio(audio_file, kind)
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = recordings_staff(store, settings, as_email, action="add a recording")
        kept = add_recording(
            store,
            actor=actor,
            account_ref=account,
            notice_id=notice,
            parties=parties,
            recorded_at=when,
            duration_s=duration,
            audio=audio,
            media_type=kind,
            call_record_id=call,
        )
    recording_id, all_party = kept.recording_id, kept.all_party_consent
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
        rows = list_recordings(store, actor=actor, account_ref=account)
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
