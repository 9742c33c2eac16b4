"""`tutela recordings notice|add|list`: kept only after notice, audio encrypted.

Policy: "Jive may record calls between its employees and its customers or
prospective customers after giving required notice."
(collect.service_use.call_recordings). Most tests run the CLI in this process;
a refusal leaves the command as a `TutelaError`,
which `tutela.cli.main` turns into its exit code. One test runs the real
program to see that exit code and the messages it prints.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from tests.factories import StaffUser, add_staff
from tutela.audit.log import audit_log
from tutela.auth.signin import issue_api_token
from tutela.cli.app import app
from tutela.collect.accounts.contacts import open_account
from tutela.collect.recordings.inputs import MAX_AUDIO_BYTES
from tutela.collect.recordings.record import RecordingRefused
from tutela.config import Settings
from tutela.errors import InvalidInput, NotFound, TutelaError
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import AuditEntry, Blob, CallRecording, RecordingNotice

pytestmark = pytest.mark.clause("collect.service_use.call_recordings")

TUTELA = str(Path(sys.executable).with_name("tutela"))
RUNNER = CliRunner()
RECORDED = "2025-03-01T15:00:00Z"
BEFORE = "2025-03-01T14:59:55Z"
AFTER = "2025-03-01T15:00:05Z"
STAFF = "staff@US-UT"
CALIFORNIA = "customer:+1 415 555 0123"  # all-party consent (US-CA)
UTAH = "customer:+1 801 555 0123"  # one-party consent (US-UT)

Cli = Callable[..., Result]


def wav_audio() -> bytes:
    """A short WAV whose samples are random: found nowhere unless stored in clear."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(os.urandom(8000))
    return buffer.getvalue()


def _env(settings: Settings, token: str) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith("TUTELA_")
    }
    if settings.database_url is not None:
        env["TUTELA_DATABASE_URL"] = settings.database_url
    env["TUTELA_STAFF_TOKEN"] = token
    return env


@pytest.fixture
def staff(store: Store) -> StaffUser:
    """The support agent who runs the commands (`deliver_services`)."""
    return add_staff(store, "support_agent")


@pytest.fixture
def staff_token(store: Store, staff: StaffUser) -> str:
    """The support agent's staff API token: the CLI signs in with it."""
    return issue_api_token(store, email=staff.email)


@pytest.fixture
def cli(store: Store, settings: Settings, staff_token: str) -> Cli:
    """Invoke `tutela` in this process on the test's store (account R-1 exists)."""
    with store.session() as session:
        open_account(session, organization="Acme Dental", ref="R-1")
        open_account(session, organization="Other Co", ref="R-2")

    def invoke(*args: str) -> Result:
        return RUNNER.invoke(
            app, [*args, "--data", str(settings.data)], env=_env(settings, staff_token)
        )

    return invoke


@pytest.fixture
def audio_file(tmp_path: Path) -> Path:
    path = tmp_path / "call.wav"
    path.write_bytes(wav_audio())
    return path


def notice(cli: Cli, *extra: str, account: str = "R-1", at: str = BEFORE) -> int:
    result = cli(
        "recordings", "notice", "--account", account, "--method",
        "announcement_prompt", "--given-at", at, "--json", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    return int(payload["notice_id"])


def add_args(audio: Path, notice_id: int, *parties: str) -> list[str]:
    return [
        "recordings", "add", str(audio), "--account", "R-1", "--notice",
        str(notice_id), "--recorded-at", RECORDED, "--duration", "30",
        *(arg for party in parties or (STAFF, CALIFORNIA) for arg in ("--party", party)),
    ]  # fmt: skip


def stored(store: Store) -> tuple[int, int, list[Path]]:
    """Recording rows, blob rows and blob files in the store."""
    with store.session() as session:
        recordings = session.scalar(select(func.count()).select_from(CallRecording))
        blobs = session.scalar(select(func.count()).select_from(Blob))
    files = [p for p in (store.data_dir / "blobs").rglob("*") if p.is_file()]
    return recordings or 0, blobs or 0, files


def no_number(text: str) -> bool:
    return not any(n in text for n in ("415", "555 0123", "5550123"))


def test_notice_then_add_stores_the_audio_encrypted_and_list_shows_it(
    cli: Cli, store: Store, audio_file: Path, staff: StaffUser
) -> None:
    # (The fixtures' accounts were opened by the write path, audited as its job.)
    start = audit_log(store).head()[0]
    notice_id = notice(cli, "--covers-all-parties")
    result = cli(*add_args(audio_file, notice_id), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["notice_id"] == notice_id
    assert payload["all_party_consent"] is True  # a California party
    assert payload["media_type"] == "audio/wav"
    assert payload["size"] == audio_file.stat().st_size
    assert no_number(result.stdout)

    audio = audio_file.read_bytes()
    with store.session() as session:
        recording = session.get(CallRecording, payload["recording_id"])
        assert recording is not None and recording.audio_blob_id is not None
        assert recording.notice_id == notice_id
        blobs = BlobStore.in_data_dir(store.data_dir)
        assert blobs.get(session, recording.audio_blob_id) == audio
    # Neither the audio nor any stretch of its samples is on disk in clear.
    samples = audio[44:]
    files = [p for p in store.data_dir.rglob("*") if p.is_file()]
    assert any(p.parent.parent.name == "blobs" for p in files)
    for path in files:
        content = path.read_bytes()
        assert samples not in content and samples[1000:1064] not in content, path

    listed = cli("recordings", "list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert rows["count"] == 1
    assert rows["data"][0] == {
        "id": payload["recording_id"],
        "account": "R-1",
        "recorded_at": "2025-03-01T15:00:00+00:00",
        "duration_s": 30,
        "notice_method": "announcement_prompt",
        "all_party_consent": True,
    }
    assert no_number(listed.stdout)
    text = cli("recordings", "list", "--account", "R-1")
    assert text.exit_code == 0, text.output
    assert (
        f"{payload['recording_id']}  R-1  2025-03-01T15:00:00+00:00  30s" in text.stdout
    )
    assert "all-party consent: yes" in text.stdout and no_number(text.stdout)
    other = json.loads(cli("recordings", "list", "--account", "R-2", "--json").stdout)
    assert other["count"] == 0
    # Every read went through the gate as the signed-in person, by user id.
    with store.session() as session:
        readers = set(
            session.scalars(
                select(AuditEntry.actor).where(
                    AuditEntry.action == "use.grant", AuditEntry.seq > start
                )
            )
        )
    assert readers == {staff.actor}


def test_one_party_call_needs_no_all_party_notice(
    cli: Cli, store: Store, audio_file: Path
) -> None:
    notice_id = notice(cli, "--not-all-parties")
    result = cli(*add_args(audio_file, notice_id, STAFF, UTAH))
    assert result.exit_code == 0, result.output
    assert "all-party consent: no" in result.stdout and no_number(result.stdout)
    recordings, blobs, files = stored(store)
    assert (recordings, blobs, len(files)) == (1, 1, 1)


def test_notice_prints_its_id_and_is_kept(cli: Cli, store: Store) -> None:
    result = cli(
        "recordings", "notice", "--account", "R-1", "--method", "written",
        "--given-at", "2025-03-01T08:00:00-07:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("notice ")
    notice_id = int(result.stdout.split()[1])
    with store.session() as session:
        kept = session.get(RecordingNotice, notice_id)
        assert kept is not None
        given = (
            kept.given_at
            if kept.given_at.tzinfo
            else kept.given_at.replace(tzinfo=dt.UTC)
        )
        assert (kept.method, kept.covers_all_parties) == ("written", False)
        assert given == dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no notice", "no notice record for this account"),
        ("another account's notice", "no notice record for this account"),
        ("notice after the recording", "notice was given after the recording"),
        ("notice not covering a California party", "must cover every party"),
        ("no staff party", "between staff and customers or prospects"),
    ],
)
def test_recording_is_refused_and_nothing_stored(
    cli: Cli, store: Store, audio_file: Path, case: str, reason: str
) -> None:
    parties: tuple[str, ...] = (STAFF, CALIFORNIA)
    if case == "no notice":
        notice_id = 999
    elif case == "another account's notice":
        notice_id = notice(cli, "--covers-all-parties", account="R-2")
    elif case == "notice after the recording":
        notice_id = notice(cli, "--covers-all-parties", at=AFTER)
    elif case == "no staff party":
        notice_id = notice(cli, "--covers-all-parties")
        parties = (CALIFORNIA, UTAH)
    else:
        notice_id = notice(cli, "--not-all-parties")
    result = cli(*add_args(audio_file, notice_id, *parties), "--json")
    error = result.exception
    assert isinstance(error, RecordingRefused), result.output
    assert error.exit_code == 2 and error.status == 403
    assert reason in error.message and no_number(error.message)
    assert result.stdout == ""
    assert stored(store) == (0, 0, [])


def test_the_real_program_exits_2_on_a_refusal_without_printing_a_number(
    settings: Settings, store: Store, audio_file: Path, cli: Cli, staff_token: str
) -> None:
    notice_id = notice(cli, "--not-all-parties")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTELA_")}
    env |= {k: v for k, v in _env(settings, staff_token).items() if v is not None}
    args = [TUTELA, *add_args(audio_file, notice_id), "--data", str(settings.data)]
    text = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert text.returncode == 2
    assert text.stdout == ""
    assert "Error:" in text.stderr and "call recording refused" in text.stderr
    assert "must cover every party" in text.stderr
    as_json = subprocess.run(
        [*args, "--json"], capture_output=True, text=True, env=env, timeout=120
    )
    assert as_json.returncode == 2
    envelope = json.loads(as_json.stdout)
    assert envelope["ok"] is False and envelope["status"] == 403
    assert "must cover every party" in envelope["error"]
    for output in (text.stdout, text.stderr, as_json.stdout, as_json.stderr):
        assert no_number(output)
    assert stored(store) == (0, 0, [])


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"--recorded-at": "yesterday"},
            "--recorded-at",
            "is not an ISO 8601 date-time",
        ),
        (
            {"--recorded-at": "2025-03-01T15:00:00"},
            "--recorded-at",
            "needs a UTC offset",
        ),
        (
            {"--recorded-at": "2999-01-01T00:00:00Z"},
            "--recorded-at",
            "is in the future",
        ),
        ({"--duration": "-1"}, "--duration", "must be 0 to 86400 seconds"),
        ({"--duration": "86401"}, "--duration", "must be 0 to 86400 seconds"),
        (
            {"--party": ["boss:+14155550123", UTAH]},
            "--party #1",
            "the role must be staff, customer or prospect",
        ),
        ({"--party": [STAFF, "+14155550123"]}, "--party #2", "the role must be staff"),
        ({"--party": [STAFF, "customer:"]}, "--party #2", "nothing after ':'"),
        ({"--party": [STAFF, "customer@US@CA"]}, "--party #2", "more than one '@'"),
        ({"--party": [STAFF, "customer@"]}, "--party #2", "must be an ISO 3166 code"),
        ({"--party": ["staff@Utah", UTAH]}, "--party #1", "must be an ISO 3166 code"),
        (
            {"--party": [STAFF, "customer:+1 415 555"]},
            "--party #2",
            "is not a phone number or extension",
        ),
        ({"--party": [STAFF]}, "--party", "at least two"),
        ({"--media-type": "text/plain"}, "--media-type", "must be an audio media type"),
        (
            {"file": ("call.raw", b"RIFF\0\0\0\0WAVEdata")},
            "--media-type",
            "pass --media-type",
        ),
        ({"file": ("call.wav", b"")}, "AUDIO_FILE", "is empty"),
        ({"file": ("call.wav", b"hello, not audio")}, "AUDIO_FILE", "is not audio/wav"),
        ({"file": ("missing.wav", None)}, "AUDIO_FILE", "does not exist"),
        ({"file": ("big.wav", "sparse")}, "AUDIO_FILE", "is larger than 200 MiB"),
        ({"file": ("folder.wav", "directory")}, "AUDIO_FILE", "is a directory"),
    ],
)
def test_malformed_add_options_get_specific_errors(
    cli: Cli,
    store: Store,
    tmp_path: Path,
    audio_file: Path,
    change: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    notice_id = notice(cli, "--covers-all-parties")
    path = audio_file
    if "file" in change:
        name, content = change["file"]
        path = tmp_path / name
        if content == "directory":
            path.mkdir()
        elif content == "sparse":
            with path.open("wb") as handle:
                handle.truncate(MAX_AUDIO_BYTES + 1)
        elif isinstance(content, bytes):
            path.write_bytes(content)
    args = add_args(path, notice_id)
    for option, value in change.items():
        if option == "--party":
            assert isinstance(value, list)
            start = args.index("--party")
            args = [*args[:start], *(a for p in value for a in ("--party", p))]
        elif option.startswith("--"):
            if option in args:
                args[args.index(option) + 1] = str(value)
            else:
                args += [option, str(value)]
    result = cli(*args)
    error = result.exception
    assert isinstance(error, InvalidInput), result.output
    assert error.exit_code == 2 and error.status == 400
    assert error.location.field == field
    assert reason in error.reason
    assert no_number(error.message)
    assert stored(store) == (0, 0, [])


@pytest.mark.parametrize(
    ("args", "error_type", "message"),
    [
        (
            ["--method", "email"],
            InvalidInput,
            "[--method]: must be one of announcement_prompt, verbal, written",
        ),
        (
            ["--given-at", "1 March"],
            InvalidInput,
            "[--given-at]: is not an ISO 8601 date-time",
        ),
        (
            ["--given-at", "2025-03-01"],
            InvalidInput,
            "[--given-at]: needs a UTC offset",
        ),
        (["--account", "R-9"], NotFound, "account R-9 does not exist"),
    ],
)
def test_malformed_notice_options_get_specific_errors(
    cli: Cli,
    store: Store,
    args: list[str],
    error_type: type[TutelaError],
    message: str,
) -> None:
    base = {"--account": "R-1", "--method": "verbal", "--given-at": BEFORE}
    base[args[0]] = args[1]
    result = cli("recordings", "notice", *(x for kv in base.items() for x in kv))
    error = result.exception
    assert isinstance(error, error_type), result.output
    assert error.exit_code == 2 and message in error.message
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(RecordingNotice)) == 0


def test_usage_errors_exit_2(cli: Cli, audio_file: Path) -> None:
    missing_party = add_args(audio_file, 1)[:-4]
    assert cli(*missing_party).exit_code == 2
    bad_duration = add_args(audio_file, 1)
    bad_duration[bad_duration.index("--duration") + 1] = "thirty"
    result = cli(*bad_duration)
    assert result.exit_code == 2 and "--duration" in result.output
    unknown = cli("recordings", "list", "--account", "R-9")
    assert isinstance(unknown.exception, NotFound)
    assert unknown.exception.exit_code == 2


def test_a_standing_notice_on_another_number_covers_nothing(
    cli: Cli, store: Store, audio_file: Path
) -> None:
    result = cli(
        "recordings", "notice", "--account", "R-1", "--method", "announcement_prompt",
        "--given-at", BEFORE, "--not-all-parties", "--number", "+1 801 555 0100",
        "--until", "2025-04-01T00:00:00Z", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["scope"], payload["number"]) == ("standing", "+18015550100")
    refused = cli(*add_args(audio_file, payload["notice_id"], STAFF, UTAH), "--json")
    assert isinstance(refused.exception, RecordingRefused), refused.output
    assert "another number" in refused.exception.message
    on_line = cli(
        *add_args(audio_file, payload["notice_id"], "staff:+1 801 555 0100", UTAH)
    )
    assert on_line.exit_code == 0, on_line.output
    assert stored(store)[0] == 1


def test_a_notice_for_a_call_that_is_not_there_is_refused(cli: Cli) -> None:
    result = cli(
        "recordings", "notice", "--account", "R-1", "--method", "verbal",
        "--given-at", BEFORE, "--call", "424242", "--json",
    )  # fmt: skip
    assert isinstance(result.exception, InvalidInput), result.output
    assert result.exception.exit_code == 2
    assert "not a call of this account" in str(result.exception)
