"""Tests for tutela.collect.voicemail.spool (clause collect.service_use.voicemail)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.samples import TELEPHONY
from tutela.collect.cdr import Rejection, raw_bytes
from tutela.collect.voicemail import spool as voicemail_spool
from tutela.collect.voicemail.spool import VoicemailMessage
from tutela.errors import InvalidInput

DATA = Path(__file__).parents[1] / "data" / "voicemail_spool"
SAMPLES = TELEPHONY / "asterisk_voicemail"
VOICEMAIL = pytest.mark.clause("collect.service_use.voicemail")


def _spool_with(tmp_path: Path, sample: str, *audio: str) -> Path:
    folder = tmp_path / "default" / "1001" / "INBOX"
    folder.mkdir(parents=True)
    shutil.copyfile(SAMPLES / sample, folder / "msg0000.txt")
    for ext in audio:
        (folder / f"msg0000.{ext}").write_bytes(b"fake audio")
    return tmp_path


@VOICEMAIL
@pytest.mark.parametrize(
    ("sample", "duration"),
    [("wazo_calld_msg_example.txt", 12), ("wazo_calld_msg_with_spaces.txt", 0)],
)
def test_wazo_samples_parse_with_their_metadata(
    tmp_path: Path, sample: str, duration: int
) -> None:
    spool = _spool_with(tmp_path, sample, "wav", "WAV", "gsm")
    (message,) = voicemail_spool.parse(spool)
    assert isinstance(message, VoicemailMessage)
    assert (message.context, message.mailbox, message.folder) == (
        "default",
        "1001",
        "INBOX",
    )
    assert [p.name for p in message.audio_paths] == [
        "msg0000.WAV",
        "msg0000.gsm",
        "msg0000.wav",
    ]
    assert message.origmailbox == "1001"
    assert message.call_context == "user"
    assert message.callerid == '"Etienne" <101>'
    assert message.callerchan == "PJSIP/xivo64-00000000"
    assert message.exten == "voicemail"
    assert message.origdate == "Thu Nov  3 07:11:59 PM UTC 2016"
    assert message.origtime == datetime(2016, 11, 3, 19, 11, 59, tzinfo=UTC)
    assert message.msg_id == "1478200319-00000000"
    assert message.duration_s == duration
    assert message.dedupe_key == "vm:default/1001:1478200319-00000000"


@VOICEMAIL
def test_spool_walk_yields_messages_and_specific_rejections() -> None:
    items = list(voicemail_spool.parse(DATA))
    messages = [i for i in items if isinstance(i, VoicemailMessage)]
    assert [(m.folder, m.metadata_path.name, m.duration_s) for m in messages] == [
        ("INBOX", "msg0000.txt", 14),
        ("INBOX", "msg0001.txt", 7),
        ("Old", "msg0000.txt", 3),
    ]
    rejections = {
        Path(r.file).name: (r.line, r.reason) for r in items if isinstance(r, Rejection)
    }
    assert rejections == {
        "msg0002.txt": (18, "duration is not a whole number of seconds"),
        "msg0003.txt": (None, "origtime is missing"),
        "msg0004.txt": (None, "no audio file beside the metadata"),
        "msg0005": (None, "audio without a metadata file"),
        "msg0006.txt": (None, "metadata file holds binary data"),
    }


@VOICEMAIL
def test_message_without_msg_id_gets_a_digest_key_and_keeps_raw_bytes() -> None:
    older = [
        i
        for i in voicemail_spool.parse(DATA)
        if isinstance(i, VoicemailMessage) and i.msg_id is None
    ]
    (message,) = older
    assert message.dedupe_key.startswith("sha256:")
    assert raw_bytes(message.callerid) == b'"Caf\xe9" <2003>'
    assert message.origtime == datetime(2024, 2, 29, 9, 46, 40, tzinfo=UTC)


def test_tmp_folder_and_greetings_are_not_messages() -> None:
    parts = [
        Path(i.metadata_path if isinstance(i, VoicemailMessage) else i.file)
        .relative_to(DATA)
        .parts
        for i in voicemail_spool.parse(DATA)
    ]
    assert parts, "the fixture spool has messages"
    assert not any("tmp" in p or p[-1].startswith("unavail") for p in parts)


def test_dedupe_key_survives_a_move_to_another_folder(tmp_path: Path) -> None:
    spool = _spool_with(tmp_path, "wazo_calld_msg_example.txt", "wav")
    (before,) = voicemail_spool.parse(spool)
    (spool / "default" / "1001" / "INBOX").rename(spool / "default" / "1001" / "Old")
    (after,) = voicemail_spool.parse(spool)
    assert isinstance(before, VoicemailMessage) and isinstance(after, VoicemailMessage)
    assert after.folder == "Old"
    assert after.dedupe_key == before.dedupe_key


def test_metadata_without_message_section_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "default" / "1001" / "INBOX"
    folder.mkdir(parents=True)
    (folder / "msg0000.txt").write_text("origtime=1\nduration=2\n")
    (folder / "msg0000.wav").write_bytes(b"x")
    (item,) = voicemail_spool.parse(tmp_path)
    assert isinstance(item, Rejection)
    assert item.reason == "metadata has no [message] section"


def test_missing_spool_directory_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a directory"):
        voicemail_spool.parse(tmp_path / "nope")
