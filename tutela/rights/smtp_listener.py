"""An SMTP listener for the legal address (aiosmtpd), feeding intake.

Clause: rights.access.request ("send an email to legal@jive.com"). The
handler accepts mail only for the policy's legal address (550 otherwise),
refuses messages over 10 MB at the protocol level, and stores every
accepted message through `tutela.rights.intake.intake_message`, which is
idempotent, so a client that retries after a lost reply stores nothing new.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tutela.config import Settings
from tutela.errors import TutelaError
from tutela.policy.loader import load_policy_cached
from tutela.rights.intake import intake_message
from tutela.rights.mailboxes import MAX_MESSAGE_BYTES
from tutela.store.db import Store

log = logging.getLogger(__name__)


class RightsMailHandler:
    """aiosmtpd handler: RCPT checks the address, DATA runs intake."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        meaning = load_policy_cached(settings.policy_file).meaning
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
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                None,
                lambda: intake_message(
                    self.store, raw, settings=self.settings, channel="smtp"
                ),
            )
        except TutelaError as exc:
            log.warning("rights.smtp.refused error=%s", type(exc).__name__)
            return f"554 5.6.0 {exc.status}: message refused"
        except Exception as exc:  # keep the listener up; the client will retry
            log.error("rights.smtp.failed error=%s", type(exc).__name__)
            return "451 4.3.0 temporary failure, try again later"
        log.info("rights.smtp.stored route=%s", result.route)
        return "250 OK stored"


def controller(
    store: Store, settings: Settings, *, host: str = "127.0.0.1", port: int = 2525
) -> Controller:
    """A started-on-demand aiosmtpd controller for the legal address."""
    return Controller(
        RightsMailHandler(store, settings),
        hostname=host,
        port=port,
        data_size_limit=MAX_MESSAGE_BYTES,
    )
