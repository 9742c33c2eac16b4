"""Demo telephony data: CDR files, voicemail spools and recordings, ingested for real.

Policy clauses exercised: ``collect.service_use.call_records`` (Asterisk
cdr_csv files, multi-leg calls, one malformed row that lands in quarantine),
``collect.service_use.voicemail`` (an app_voicemail spool per account with
short generated WAV audio, stored encrypted) and
``collect.service_use.call_recordings`` (recordings kept with a notice
record; all-party-consent states need a notice that covers every party).

The files are written under ``workdir`` and then go through the same ingest
functions as real input. Everything derives from ``seed``, so a re-run
writes the same files and the ingest adds nothing. Numbers are fictional
(NANP 555-01XX); account numbers come from the accounts' own `PhoneNumber`s.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import random
import tempfile
import wave
from pathlib import Path
from typing import Final

from sqlalchemy import func, select

from tutela.collect.cdr.ingest import ingest_cdr
from tutela.collect.recordings.record import Party, record_notice, store_recording
from tutela.collect.voicemail.ingest import ingest_voicemail
from tutela.store import BlobStore, Store
from tutela.store.models import Account, CallRecording, PhoneNumber

log = logging.getLogger(__name__)

CALLS_PER_ACCOUNT: Final = 12
MAX_ACCOUNTS: Final = 50
_EXTERNAL: Final = tuple(f"+1202555{n:04d}" for n in range(100, 200))
_DISPOSITIONS: Final = ("ANSWERED", "ANSWERED", "ANSWERED", "NO ANSWER", "BUSY")
_BASE: Final = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC)


def tone_wav(seconds: float, *, hz: float = 440.0, rate: int = 8000) -> bytes:
    """A short mono 16-bit sine tone as WAV bytes (stdlib `wave`)."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = int(8000 * math.sin(2 * math.pi * hz * i / rate))
        frames += sample.to_bytes(2, "little", signed=True)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


def _q(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _cdr_lines(
    rng: random.Random, index: int, ref: str, numbers: list[str]
) -> list[str]:
    """cdr_csv rows (21 columns) of one account; some calls have two legs."""
    lines = []
    for call in range(CALLS_PER_ACCOUNT):
        start = _BASE + dt.timedelta(days=index % 28, minutes=37 * call)
        ext = str(100 + rng.randrange(20))
        outbound = rng.random() < 0.5
        ours = rng.choice(numbers) if numbers else ext
        other = rng.choice(_EXTERNAL)
        src, dst = (ours, other) if outbound else (other, ours)
        linked = f"{1736150400 + index * 1000 + call}.{call}"
        legs = 2 if rng.random() < 0.3 else 1
        for leg in range(legs):
            disposition = rng.choice(_DISPOSITIONS)
            duration = rng.randrange(5, 900)
            billsec = duration - 3 if disposition == "ANSWERED" else 0
            end = start + dt.timedelta(seconds=duration)
            answer = _stamp(start + dt.timedelta(seconds=3)) if billsec else ""
            # Some first legs carry no accountcode: they resolve by number.
            code = "" if leg == 0 and numbers and rng.random() < 0.3 else ref
            fields = [
                _q(code), _q(src), _q(dst if leg == 0 else ext), _q("from-internal"),
                _q(f'"Caller {index}-{call}" <{src}>'), _q(f"PJSIP/trunk-{call:08x}"),
                _q(f"PJSIP/{ext}-{leg:08x}"), _q("Dial"), _q(f"PJSIP/{ext},30"),
                _q(_stamp(start)), answer and _q(answer), _q(_stamp(end)),
                str(duration), str(billsec), _q(disposition), _q("DOCUMENTATION"),
                _q(f"{linked}{leg}"), _q(""), _q(""), _q(linked), str(call * 10 + leg),
            ]  # fmt: skip
            lines.append(",".join(fields))
    return lines


def _write_spool(root: Path, ref: str, rng: random.Random, index: int) -> None:
    for folder, count in (("INBOX", 2), ("Old", 1)):
        box = root / ref / str(100 + index % 20) / folder
        box.mkdir(parents=True, exist_ok=True)
        for n in range(count):
            stem = box / f"msg{n:04d}"
            when = int((_BASE + dt.timedelta(days=index, hours=n)).timestamp())
            seconds = 1 + rng.randrange(3)
            caller = rng.choice(_EXTERNAL)
            stem.with_suffix(".txt").write_text(
                "[message]\norigmailbox=100\ncontext=from-external\nexten=100\n"
                f'callerid="Demo caller" <{caller}>\norigtime={when}\n'
                f"msg_id={when}-{index:08x}{folder}{n}\nduration={seconds}\n",
                encoding="utf-8",
            )
            stem.with_suffix(".wav").write_bytes(tone_wav(seconds, hz=300 + 40 * n))


def _recordings(store: Store, accounts: list[Account], rng: random.Random) -> int:
    policy = store.policy()
    blobs = BlobStore.in_data_dir(store.data_dir)
    stored = 0
    with store.session() as session:
        for account in accounts[:5]:
            count = select(func.count()).where(CallRecording.account_id == account.id)
            if session.scalar(count):
                continue
            when = _BASE + dt.timedelta(days=1)
            notice = record_notice(
                session,
                account=account,
                method=rng.choice(("announcement_prompt", "verbal", "written")),
                given_at=when - dt.timedelta(seconds=5),
                covers_all_parties=True,
                policy=policy,
            )
            store_recording(
                session,
                blobs,
                account=account,
                notice_id=notice.id,
                parties=[
                    Party(role="staff", jurisdiction="US-UT"),
                    Party(role="customer", jurisdiction=account.jurisdiction),
                ],
                recorded_at=when,
                duration_s=2,
                audio=tone_wav(2, hz=520),
                media_type="audio/wav",
                policy=policy,
            )
            stored += 1
    return stored


def build_telephony_demo(store: Store, *, seed: int, workdir: Path) -> dict[str, int]:
    """Write demo CDRs and spools under ``workdir``, ingest them, add recordings.

    Uses the accounts already in the store (at most `MAX_ACCOUNTS`, by id).
    Returns counts: ``cdr_*`` and ``voicemail_*`` from the ingest summaries,
    and ``recordings`` stored by this run. Idempotent.
    """
    rng = random.Random(f"tutela-demo-telephony:{seed}")
    with store.session() as session:
        accounts = list(
            session.scalars(select(Account).order_by(Account.id).limit(MAX_ACCOUNTS))
        )
        owned = {
            a.id: sorted(
                session.scalars(
                    select(PhoneNumber.e164).where(PhoneNumber.account_id == a.id)
                )
            )
            for a in accounts
        }
    workdir.mkdir(parents=True, exist_ok=True)
    cdr_file = workdir / "Master.csv"
    # The spool's audio is clear text: it lives in a temporary directory
    # outside the data directory and is gone once ingested (the store keeps
    # only the encrypted blobs).
    with tempfile.TemporaryDirectory(prefix="tutela-demo-spool-") as scratch:
        spool = Path(scratch) / "voicemail"
        spool.mkdir()
        lines: list[str] = []
        for index, account in enumerate(accounts):
            lines += _cdr_lines(rng, index, account.ref, owned[account.id])
            _write_spool(spool, account.ref, rng, index)
        vms = ingest_voicemail(store, spool)
    bad = '"","100","101","ctx","","","","","","2025-01-06 08:00:00","",'
    bad += '"2025-01-06 08:00:05",-5,0,"FAILED","DOCUMENTATION","1.1","","","1.1",0'
    lines.append(bad)  # a negative duration: quarantined, not stored
    cdr_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cdrs = ingest_cdr(store, cdr_file, format="asterisk-csv")
    counts = {f"cdr_{k}": v for k, v in _counts(cdrs.as_dict()).items()}
    counts |= {f"voicemail_{k}": v for k, v in _counts(vms.as_dict()).items()}
    counts["recordings"] = _recordings(store, accounts, rng)
    log.info("demo.telephony accounts=%d", len(accounts))
    return counts


def _counts(summary: dict[str, object]) -> dict[str, int]:
    return {k: v for k, v in summary.items() if isinstance(v, int)}


__all__ = ["CALLS_PER_ACCOUNT", "build_telephony_demo", "tone_wav"]
