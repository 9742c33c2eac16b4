"""JSON-lines access logs (nginx ``escape=json`` formats) parsed into Hits.

Policy: the website records "content viewed, date and time and IP address".
Accepted field names are listed in docs/web.md; the first present alias wins.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tutela.collect.weblog._fields import (
    Reason,
    gpc_on,
    optional,
    parse_clf_time,
    parse_epoch,
    parse_ip,
    parse_iso_time,
    parse_request,
    parse_status,
)
from tutela.collect.weblog.hits import Hit, Rejection

TIME_KEYS = ("time", "time_iso8601", "timestamp", "@timestamp")
EPOCH_KEYS = ("msec", "epoch")
ADDR_KEYS = ("remote_addr", "ip", "client_ip")
TARGET_KEYS = ("request_uri", "uri", "path")
REFERRER_KEYS = ("http_referer", "referer", "referrer")
AGENT_KEYS = ("http_user_agent", "user_agent")
GPC_KEYS = ("http_sec_gpc", "sec_gpc", "gpc")
SITE_KEYS = ("host", "server_name", "site")


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value is not None and value != "" and value != "-":
            return value
    return None


def _time(obj: dict[str, Any]) -> datetime | None | bool:
    """The hit time; False when no time field is present at all."""
    text = _first(obj, TIME_KEYS)
    if isinstance(text, str):
        return parse_iso_time(text) or parse_clf_time(text)
    epoch = _first(obj, EPOCH_KEYS)
    if isinstance(epoch, str):
        try:
            epoch = float(epoch)
        except ValueError:
            return None
    if isinstance(epoch, int | float) and not isinstance(epoch, bool):
        return parse_epoch(float(epoch))
    local = obj.get("time_local")
    if isinstance(local, str):
        return parse_clf_time(local)
    return None if (text is not None or epoch is not None) else False


def parse_json_hit(
    text: str, raw: bytes, *, file: str, line: int, site: str
) -> Hit | Rejection:
    """One JSON object per line into a Hit, or a Rejection naming the field."""
    try:
        obj = json.loads(text)
    except ValueError:
        return Rejection(file, line, Reason.BAD_JSON)
    if not isinstance(obj, dict):
        return Rejection(file, line, Reason.BAD_JSON)
    addr = _first(obj, ADDR_KEYS)
    if addr is None:
        return Rejection(file, line, Reason.MISSING_FIELD, "remote_addr")
    ip = parse_ip(addr) if isinstance(addr, str) else None
    if ip is None:
        return Rejection(file, line, Reason.BAD_IP, "remote_addr")
    when = _time(obj)
    if when is False:
        return Rejection(file, line, Reason.MISSING_FIELD, "time")
    if not isinstance(when, datetime):
        return Rejection(file, line, Reason.BAD_TIME, "time")
    request = obj.get("request")
    if isinstance(request, str) and request:
        parsed = parse_request(request)
    else:
        method, target = obj.get("method", "GET"), _first(obj, TARGET_KEYS)
        if target is None:
            return Rejection(file, line, Reason.MISSING_FIELD, "request")
        ok = isinstance(method, str) and isinstance(target, str)
        parsed = parse_request(f"{method} {target}") if ok else None
    if parsed is None:
        return Rejection(file, line, Reason.BAD_REQUEST, "request")
    status_value = obj.get("status")
    status: int | None = None
    if status_value is not None:
        status = parse_status(str(status_value))
        if status is None:
            return Rejection(file, line, Reason.BAD_STATUS, "status")
    referrer, agent = _first(obj, REFERRER_KEYS), _first(obj, AGENT_KEYS)
    host = _first(obj, SITE_KEYS)
    return Hit(
        file=file,
        line=line,
        site=host.lower() if isinstance(host, str) else site,
        ip=ip,
        time=when,
        method=parsed[0],
        target=parsed[1],
        status=status,
        referrer=optional(referrer) if isinstance(referrer, str) else None,
        user_agent=optional(agent) if isinstance(agent, str) else None,
        gpc=gpc_on(_first(obj, GPC_KEYS)),
        raw=raw,
    )
