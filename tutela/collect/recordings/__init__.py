"""collect.recordings: call recordings, refused without a notice record.

Clause collect.service_use.call_recordings.
"""
