"""Turning FreeSWITCH channel variables into a `CdrRecord` (CSV and JSON alike).

Policy clause ``collect.service_use.call_records``: caller_id_number (source),
destination_number (destination) and duration are kept exactly; a leg whose
hangup cause is unknown or whose times make no sense is rejected.

Disposition follows Asterisk's meaning: a leg that was answered is ``ANSWERED``
whatever the hangup cause; otherwise the cause decides (`disposition_for`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from tutela.collect.cdr._fields import RowError, choose_times, seconds
from tutela.collect.cdr.records import CdrRecord, dedupe_key_for

_NO_ANSWER: Final = frozenset(
    """NONE NORMAL_CLEARING NORMAL_UNSPECIFIED NO_ANSWER NO_USER_RESPONSE
    ORIGINATOR_CANCEL PROGRESS_TIMEOUT ALLOTTED_TIMEOUT NO_PICKUP LOSE_RACE
    PICKED_OFF SUCCESS MANAGER_REQUEST BLIND_TRANSFER ATTENDED_TRANSFER
    SUBSCRIBER_ABSENT USER_NOT_REGISTERED""".split()
)
_BUSY: Final = frozenset({"USER_BUSY", "BUSY_EVERYWHERE"})
_CONGESTION: Final = frozenset({"NORMAL_CIRCUIT_CONGESTION", "SWITCH_CONGESTION"})
_FAILED: Final = frozenset(
    """UNALLOCATED_NUMBER NO_ROUTE_TRANSIT_NET NO_ROUTE_DESTINATION
    CHANNEL_UNACCEPTABLE CALL_AWARDED_DELIVERED CALL_REJECTED NUMBER_CHANGED
    REDIRECTION_TO_NEW_DESTINATION EXCHANGE_ROUTING_ERROR DESTINATION_OUT_OF_ORDER
    INVALID_NUMBER_FORMAT FACILITY_REJECTED RESPONSE_TO_STATUS_ENQUIRY
    NETWORK_OUT_OF_ORDER NORMAL_TEMPORARY_FAILURE ACCESS_INFO_DISCARDED
    REQUESTED_CHAN_UNAVAIL PRE_EMPTED FACILITY_NOT_SUBSCRIBED OUTGOING_CALL_BARRED
    INCOMING_CALL_BARRED BEARERCAPABILITY_NOTAUTH BEARERCAPABILITY_NOTAVAIL
    SERVICE_UNAVAILABLE BEARERCAPABILITY_NOTIMPL CHAN_NOT_IMPLEMENTED
    FACILITY_NOT_IMPLEMENTED SERVICE_NOT_IMPLEMENTED INVALID_CALL_REFERENCE
    INCOMPATIBLE_DESTINATION INVALID_MSG_UNSPECIFIED MANDATORY_IE_MISSING
    MESSAGE_TYPE_NONEXIST WRONG_MESSAGE IE_NONEXIST INVALID_IE_CONTENTS
    WRONG_CALL_STATE RECOVERY_ON_TIMER_EXPIRE MANDATORY_IE_LENGTH_ERROR
    PROTOCOL_ERROR INTERWORKING CRASH SYSTEM_SHUTDOWN USER_CHALLENGE MEDIA_TIMEOUT
    INVALID_GATEWAY GATEWAY_DOWN INVALID_URL INVALID_PROFILE SRTP_READ_ERROR BOWOUT
    DECLINE DOES_NOT_EXIST_ANYWHERE NOT_ACCEPTABLE UNWANTED NO_IDENTITY
    BAD_IDENTITY_INFO UNSUPPORTED_CERTIFICATE INVALID_IDENTITY STALE_DATE""".split()
)


def disposition_for(hangup_cause: str, *, answered: bool) -> str:
    """Map a FreeSWITCH hangup cause name to an Asterisk-style disposition."""
    cause = hangup_cause.strip().upper()
    known = _NO_ANSWER | _BUSY | _CONGESTION | _FAILED
    if cause not in known:
        raise RowError("hangup_cause is not a known FreeSWITCH cause", "hangup_cause")
    if answered:
        return "ANSWERED"
    if cause in _BUSY:
        return "BUSY"
    if cause in _CONGESTION:
        return "CONGESTION"
    if cause in _NO_ANSWER:
        return "NO ANSWER"
    return "FAILED"


def build(
    v: dict[str, str],
    *,
    source_format: str,
    line: int,
    starts: list[datetime],
    answers: list[datetime] | None,
    ends: list[datetime],
) -> CdrRecord:
    """Build a record from variables keyed by FreeSWITCH variable names.

    Keys read: uuid, caller_id_name, caller_id (JSON), caller_id_number,
    destination_number, context, duration, billsec, hangup_cause, accountcode,
    channel_name, bridge_channel, last_app, last_arg, amaflags, userfield,
    call_uuid (the a-leg, used as linkedid).
    """
    uuid = v.get("uuid", "").strip()
    if not uuid:
        raise RowError("uuid is empty", "uuid")
    duration_s = seconds(v.get("duration", ""), "duration")
    billsec_s = seconds(v.get("billsec", ""), "billsec")
    start, answer, end = choose_times(starts, answers, ends, duration_s, billsec_s)
    disposition = disposition_for(
        v.get("hangup_cause", ""), answered=answer is not None or billsec_s > 0
    )
    return CdrRecord(
        source_format=source_format,
        line=line,
        accountcode=v.get("accountcode", ""),
        src_raw=v.get("caller_id_number", ""),
        dst_raw=v.get("destination_number", ""),
        clid_raw=v.get("caller_id") or v.get("caller_id_name", ""),
        dcontext=v.get("context", ""),
        channel=v.get("channel_name", ""),
        dstchannel=v.get("bridge_channel", ""),
        lastapp=v.get("last_app", ""),
        lastdata=v.get("last_arg", ""),
        start=start,
        answer=answer,
        end=end,
        duration_s=duration_s,
        billsec_s=billsec_s,
        disposition=disposition,
        amaflags=v.get("amaflags", ""),
        uniqueid=uuid,
        userfield=v.get("userfield"),
        linkedid=v.get("call_uuid") or uuid,
        peeraccount=None,
        sequence=None,
        dedupe_key=dedupe_key_for(
            family="freeswitch", fields={}, uniqueid=None, sequence=None, uuid=uuid
        ),
    )
