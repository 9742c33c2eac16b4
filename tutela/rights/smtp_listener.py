"""An SMTP listener for the legal address (aiosmtpd), feeding intake.

Clause: rights.access.request ("send an email to legal@jive.com"). The
handler accepts mail only for the policy's legal address (550 otherwise),
refuses messages over 10 MB at the protocol level (552), speaks SMTPUTF8
(an address such as `josé@example.es` is an address), and stores every
accepted message through `tutela.rights.intake.receive`, which is
idempotent, so a client that retries after a lost reply stores nothing new.

The listener is the receiving edge, so every Authentication-Results header
a message carries on arrival was written by somebody else: it removes them
all (`tutela.mail.authentication.strip_untrusted`), except those of the
receiving MTA named by `Settings.trusted_authserv_id` when one relays mail
to it (only that MTA's topmost header then counts). When no such header is
left, it checks SPF (the connecting address, MAIL FROM, HELO), every DKIM
signature and DMARC itself, with pyspf, dkimpy and authheaders, and adds
its result on top under its own authserv-id; intake trusts nothing else
(`tutela.rights.intake`). A DNS failure is a `temperror`, never a pass.

Answers, so that one message never blocks the ones after it:

- `250` once the message is stored. The work that depends on who sent it
  (`tutela.rights.matching`) runs after the answer, in `FollowUps`: the
  reply comes after the same steps for a known and an unknown address.
- `554` for a poison message (one the parser will not read, or one that
  makes intake fail): it is kept in quarantine with its reason (within the
  cap per hour) and refused for good, so the sending server stops retrying
  and tells its sender.
- `451` only when the store itself fails (connection, lock, a concurrent
  insert) or the follow-up queue is full: then a retry can succeed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tutela.config import Settings
from tutela.errors import TutelaError
from tutela.mail import (
    TxtLookup,
    authenticate,
    parse,
    results_from,
    strip_untrusted,
)
from tutela.mail.mailboxes import MAX_MESSAGE_BYTES, MessageTooLarge
from tutela.mail.parsing import MalformedMessage
from tutela.rights.intake import receive
from tutela.rights.quarantine import (
    TRANSIENT_ERRORS,
    PoisonMessage,
    QuarantineBudget,
    quarantine,
)
from tutela.store import Store, utcnow

log = logging.getLogger(__name__)

MAX_PENDING_FOLLOW_UPS: Final = 1000
QUARANTINE_PER_HOUR: Final = 100


class FollowUps:
    """Work done after the SMTP answer: one worker thread, a bounded queue."""

    def __init__(self, limit: int = MAX_PENDING_FOLLOW_UPS) -> None:
        self.limit = limit
        self.failed = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="follow-up")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def full(self) -> bool:
        with self._lock:
            return len(self._pending) >= self.limit

    def submit(self, job: Callable[[], None]) -> None:
        future = self._pool.submit(job)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)
        error = future.exception()
        if error is not None:
            self.failed += 1
            log.error("rights.smtp.follow_up_failed error=%s", type(error).__name__)

    def drain(self, timeout: float | None = 60.0) -> None:
        """Wait until everything queued so far has run."""
        self._pool.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class HourlyBudget:
    """A quarantine budget that starts afresh every hour (a listener's 'run')."""

    def __init__(self, cap: int = QUARANTINE_PER_HOUR) -> None:
        self.cap = cap
        self._hour: dt.datetime | None = None
        self._budget = QuarantineBudget(cap)
        self.refused_total = 0

    def current(self) -> QuarantineBudget:
        hour = utcnow().replace(minute=0, second=0, microsecond=0)
        if hour != self._hour:
            self.refused_total += self._budget.refused
            self._hour, self._budget = hour, QuarantineBudget(self.cap)
        return self._budget


class RightsMailHandler:
    """aiosmtpd handler: RCPT checks the address, DATA runs intake."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        follow_ups: FollowUps | None = None,
        *,
        txt: TxtLookup | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.txt = txt  # None: the libraries' own DNS lookups
        self.follow_ups = follow_ups or FollowUps()
        self.budget = HourlyBudget()
        meaning = store.policy().meaning
        self.addresses = {
            meaning.access_request.address.lower(),
            meaning.change_procedure.address.lower(),
        }

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.strip().lower() not in self.addresses:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if self.follow_ups.full():
            log.warning("rights.smtp.busy")
            return "451 4.3.2 too much work queued, try again later"
        loop = asyncio.get_running_loop()
        budget = self.budget.current()
        peer = session.peer
        ip = str(peer[0]) if isinstance(peer, tuple) and peer else None
        helo = session.host_name or None
        mail_from = envelope.mail_from
        arrived = raw
        try:
            raw = await loop.run_in_executor(
                None, lambda: self.authenticated(arrived, ip, helo, mail_from)
            )
            receipt = await loop.run_in_executor(
                None,
                lambda: receive(
                    self.store,
                    raw,
                    settings=self.settings,
                    channel="smtp",
                    where="smtp",
                    budget=budget,
                ),
            )
        except MessageTooLarge:
            return "552 5.3.4 message too big"
        except PoisonMessage as exc:
            log.warning("rights.smtp.poison quarantined=%s", exc.quarantined)
            return f"554 5.6.0 message refused: {exc.reason}"[:500]
        except TRANSIENT_ERRORS as exc:
            log.error("rights.smtp.store_failed error=%s", type(exc).__name__)
            return "451 4.3.0 temporary failure, try again later"
        except TutelaError as exc:
            log.warning("rights.smtp.refused error=%s", type(exc).__name__)
            return f"554 5.6.0 {exc.status}: message refused"
        except Exception as exc:  # a bug: refuse this message, keep the rest flowing
            log.error("rights.smtp.failed error=%s", type(exc).__name__)
            return await self._refuse(raw, type(exc).__name__, budget)
        if receipt.follow_up is not None:
            self.follow_ups.submit(receipt.follow_up)
        log.info("rights.smtp.stored route=%s", receipt.result.route)
        return "250 OK stored"

    def authenticated(
        self, raw: bytes, ip: str | None, helo: str | None, mail_from: str | None
    ) -> bytes:
        """The message as intake gets it: only results we trust, ours on top."""
        trusted = self.settings.trusted_authserv_id
        kept = strip_untrusted(raw, trusted)
        if trusted and results_from(kept, {trusted.strip().lower()}):
            return kept  # the MTA in front checked it
        try:
            sender = parse(kept, where="smtp").sender
        except MalformedMessage:
            return kept  # intake keeps it in quarantine; nothing to check
        try:
            header = authenticate(
                kept,
                from_address=sender,
                ip=ip,
                helo=helo,
                mail_from=mail_from,
                txt=self.txt,
            )
        except Exception as exc:  # a check that fails proves nothing: no result
            log.error("rights.smtp.auth_failed error=%s", type(exc).__name__)
            return kept
        return header.encode("utf-8") + b"\r\n" + kept

    async def _refuse(self, raw: bytes, error: str, budget: QuarantineBudget) -> str:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(
                None,
                lambda: quarantine(
                    self.store,
                    raw,
                    reason=f"intake failed ({error})",
                    where="smtp",
                    channel="smtp",
                    budget=budget,
                ),
            )
        except TRANSIENT_ERRORS:
            return "451 4.3.0 temporary failure, try again later"
        return "554 5.6.0 message refused: intake failed"


class RightsController(Controller):
    """The aiosmtpd controller; `stop` also finishes the work after the answers."""

    def __init__(self, handler: RightsMailHandler, **options: Any) -> None:
        super().__init__(handler, **options)
        self.follow_ups = handler.follow_ups

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert)
        self.follow_ups.drain()
        self.follow_ups.close()


def controller(
    store: Store,
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 2525,
    follow_ups: FollowUps | None = None,
    txt: TxtLookup | None = None,
) -> RightsController:
    """A started-on-demand aiosmtpd controller for the legal address.

    `txt` answers the DKIM and DMARC TXT lookups instead of DNS (tests).
    """
    return RightsController(
        RightsMailHandler(store, settings, follow_ups, txt=txt),
        hostname=host,
        port=port,
        data_size_limit=MAX_MESSAGE_BYTES,
        enable_SMTPUTF8=True,
    )
