"""A voicemail spool written by someone hostile: links, non-audio, bad bytes.

Each used to go wrong: symbolic links were followed (the key ring was stored
as "audio"), any bytes were stored as audio, and a ``msg_id`` that is not
UTF-8 crashed the ingest.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from tutela.collect.accounts.contacts import open_account
from tutela.collect.cdr import Rejection
from tutela.collect.quarantine import read_quarantine
from tutela.collect.voicemail import spool as voicemail_spool
from tutela.collect.voicemail.audio import audio_format, is_gsm, is_wav
from tutela.collect.voicemail.ingest import delete_voicemail, ingest_voicemail
from tutela.demo.telephony import tone_wav
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import Voicemail

pytestmark = pytest.mark.clause("collect.service_use.voicemail")

META = (
    '[message]\norigmailbox=1001\ncallerid="Pat" <2002>\n'
    "origtime=1709283600\nduration=3\nmsg_id={msg_id}\n"
)


def _box(root: Path, context: str = "ACME") -> Path:
    box = root / context / "1001" / "INBOX"
    box.mkdir(parents=True)
    return box


def _message(
    box: Path, n: int, *, msg_id: str = "", audio: bytes | None = None
) -> None:
    text = META.format(msg_id=msg_id or f"1709283600-{n:08d}")
    (box / f"msg{n:04d}.txt").write_bytes(text.encode("utf-8", "surrogateescape"))
    if audio is not None:
        (box / f"msg{n:04d}.wav").write_bytes(audio)


def _account(store: Store) -> None:
    with store.session() as session:
        open_account(session, organization="Acme Dental", ref="ACME")


def _stored_audio(store: Store) -> list[bytes]:
    blobs = BlobStore.in_data_dir(store.data_dir)
    with store.session() as session:
        rows = session.scalars(select(Voicemail)).all()
        return [blobs.get(session, r.audio_blob_id) for r in rows if r.audio_blob_id]


def test_a_linked_audio_file_is_never_followed(store: Store, tmp_path: Path) -> None:
    _account(store)
    box = _box(tmp_path / "spool")
    _message(box, 0)
    secret = store.data_dir / "keys" / "fields.json"
    assert secret.exists()
    (box / "msg0000.wav").symlink_to(secret)
    _message(box, 1, audio=tone_wav(0.05))
    summary = ingest_voicemail(store, tmp_path / "spool")
    assert summary.stored == 1
    assert secret.read_bytes() not in _stored_audio(store)
    assert summary.quarantine is not None
    reasons = [r["reason"] for r in read_quarantine(summary.quarantine)]
    assert voicemail_spool.LINK_REASON in reasons


def test_linked_metadata_and_linked_directories_are_rejected(tmp_path: Path) -> None:
    box = _box(tmp_path / "spool")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "msg0000.txt").write_text(META.format(msg_id="x"))
    (box / "msg0000.txt").symlink_to(outside / "msg0000.txt")
    (box / "msg0000.wav").write_bytes(tone_wav(0.05))
    (tmp_path / "spool" / "ACME" / "2002").symlink_to(outside, target_is_directory=True)
    (tmp_path / "spool" / "LINKED").symlink_to(outside, target_is_directory=True)
    items = list(voicemail_spool.parse(tmp_path / "spool"))
    links = [i for i in items if isinstance(i, Rejection) and "symbolic" in i.reason]
    assert {Path(i.file).name for i in links} == {"LINKED", "2002", "msg0000.txt"}
    assert not [i for i in items if not isinstance(i, Rejection)]


def test_non_audio_content_is_rejected_not_stored(store: Store, tmp_path: Path) -> None:
    _account(store)
    box = _box(tmp_path / "spool")
    _message(box, 0, audio=b'{"primary": "k1", "keys": {"k1": "c2VjcmV0"}}')
    _message(box, 1, audio=b"RIFF\x00\x00\x00\x00WAVEfmt fake-audio")
    _message(box, 2, audio=tone_wav(0.05))
    summary = ingest_voicemail(store, tmp_path / "spool")
    assert (summary.stored, summary.rejected) == (1, 2)
    assert summary.quarantine is not None
    reasons = [r["reason"] for r in read_quarantine(summary.quarantine)]
    assert all("is not WAV or GSM audio" in r for r in reasons)
    assert _stored_audio(store) == [tone_wav(0.05)]


def test_a_fifo_named_like_audio_does_not_hang_the_ingest(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    box = _box(tmp_path / "spool")
    _message(box, 0)
    os.mkfifo(box / "msg0000.wav")
    summary = ingest_voicemail(store, tmp_path / "spool")
    assert (summary.stored, summary.rejected) == (0, 2)


@pytest.mark.postgresql
def test_invalid_utf8_msg_id_is_stored_under_a_digest_key(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    box = _box(tmp_path / "spool")
    _message(box, 0, msg_id="1709283600-\udcff", audio=tone_wav(0.05))
    _message(box, 1, msg_id="1" * 300, audio=tone_wav(0.06))
    first = ingest_voicemail(store, tmp_path / "spool")
    assert (first.stored, first.rejected) == (2, 0)
    again = ingest_voicemail(store, tmp_path / "spool")
    assert (again.stored, again.duplicate) == (0, 2)
    with store.session() as session:
        keys = sorted(session.scalars(select(Voicemail.dedupe_key)))
        ids = list(session.scalars(select(Voicemail.id)))
    assert all(k.startswith("sha256:") for k in keys)
    for voicemail_id in ids:
        delete_voicemail(store, voicemail_id, actor="system:cli")
    after = ingest_voicemail(store, tmp_path / "spool")
    assert (after.stored, after.extra["deleted"]) == (0, 2)


def test_invalid_utf8_context_directory_does_not_crash(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    box = _box(tmp_path / "spool", context=os.fsdecode(b"AC\xffME"))
    _message(box, 0, audio=tone_wav(0.05))
    summary = ingest_voicemail(store, tmp_path / "spool", account_ref="ACME")
    assert (summary.stored, summary.rejected) == (1, 0)


def test_audio_formats_are_told_by_content() -> None:
    assert audio_format(tone_wav(0.01)) == "wav"
    frame = bytes([0xD4]) + bytes(32)
    assert is_gsm(frame * 3) and audio_format(frame * 3) == "gsm"
    assert not is_gsm(frame * 3 + b"x") and not is_gsm(bytes(33))
    assert not is_wav(b"RIFF\x00\x00\x00\x00WAVE") and not is_wav(b"")
    assert audio_format(b"%PDF-1.7\n") is None
