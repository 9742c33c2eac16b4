"""collect.communications: support messages and the index of data mentioned in them.

Clauses collect.volunteered, collect.volunteered.channels,
collect.volunteered.uncontrolled.
"""

from tutela.collect.communications.mentions import (
    people_from_records,
    rebuild_index,
    redacted_for,
)
from tutela.collect.communications.record import record_communication

__all__ = [
    "people_from_records",
    "rebuild_index",
    "record_communication",
    "redacted_for",
]
