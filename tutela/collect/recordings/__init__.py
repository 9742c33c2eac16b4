"""collect.recordings: call recordings, refused without a notice record.

Clause collect.service_use.call_recordings. `inputs` checks what an operator
gives (times, parties, audio), `record` keeps notices and recordings,
`service` is what `tutela recordings` calls.
"""

from tutela.collect.recordings.inputs import (
    MAX_AUDIO_BYTES,
    MAX_DURATION_S,
    check_duration,
    check_numbers,
    media_type_for,
    parse_parties,
    parse_party,
    parse_time,
    read_audio,
)
from tutela.collect.recordings.record import (
    ROLES,
    Party,
    notice_rules,
    record_notice,
    store_recording,
)
from tutela.collect.recordings.service import (
    PURPOSE,
    NoticeKept,
    RecordingKept,
    add_notice,
    add_recording,
    list_recordings,
)

__all__ = [
    "MAX_AUDIO_BYTES",
    "MAX_DURATION_S",
    "NoticeKept",
    "PURPOSE",
    "Party",
    "ROLES",
    "RecordingKept",
    "add_notice",
    "add_recording",
    "check_duration",
    "check_numbers",
    "list_recordings",
    "media_type_for",
    "notice_rules",
    "parse_parties",
    "parse_party",
    "parse_time",
    "read_audio",
    "record_notice",
    "store_recording",
]
