"""collect.recordings: call recordings, refused without a notice record.

Clause collect.service_use.call_recordings.
"""

from tutela.collect.recordings.record import (
    ROLES,
    Party,
    notice_rules,
    record_notice,
    store_recording,
)

__all__ = [
    "Party",
    "ROLES",
    "notice_rules",
    "record_notice",
    "store_recording",
]
