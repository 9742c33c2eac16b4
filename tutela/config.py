"""Settings, read once at start-up from `TUTELA_*` variables and passed down.

Deep code never reads the environment: it receives a `Settings`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from tutela.errors import InvalidInput
from tutela.legal_holds import LegalHold
from tutela.policy import DEFAULT_POLICY


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUTELA_", extra="ignore")

    data: Path = Field(
        default=Path("tutela-data"),
        description="Data directory: SQLite database, key ring, encrypted blobs, quarantine.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store, e.g. postgresql://user@host/db. "
        "Unset: SQLite in the data directory.",
    )
    field_keys: SecretStr | None = Field(
        default=None,
        description="Field-encryption key ring as JSON ({'primary': id, 'keys': {id: base64}}). "
        "Unset: keys/fields.json in the data directory, created on first use.",
    )
    policy_file: Path = Field(
        default=DEFAULT_POLICY,
        description="The policy document the code enforces. Default: the policy "
        "shipped inside the package (tutela/policy/shipped/jive-2018.yaml).",
    )
    host: str = Field(
        default="127.0.0.1", description="Address `tutela serve` listens on."
    )
    port: int = Field(default=8000, description="Port `tutela serve` listens on.")
    public_url: str | None = Field(
        default=None,
        description="Address people reach the web pages at (e.g. "
        "https://privacy.jive.com), used for every link in mail and exports "
        "(download links, the policy in update notices). Unset: "
        "http://HOST:PORT from host and port.",
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP relay the outbox delivers through (acknowledgements, "
        "verification codes, notices). Unset: messages wait in the outbox.",
    )
    smtp_port: int = Field(
        default=25, description="Port of the SMTP relay named by smtp_host."
    )
    outbox_retry_seconds: float = Field(
        default=60,
        ge=0,
        description="Wait before the outbox tries a refused message again; doubled "
        "after each further failure (at most an hour), five tries in all.",
    )
    outbox_lease_seconds: float = Field(
        default=600,
        gt=0,
        description="How long a worker's claim on outgoing messages lasts; a "
        "worker that dies mid-run leaves them to the next run after this.",
    )
    worker_interval_seconds: float = Field(
        default=5,
        gt=0,
        description="How long `tutela worker` sleeps when no mail is due.",
    )
    mail_from: str = Field(
        default="legal@jive.com",
        description="Sender address of outgoing rights and policy-update mail.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="CIDR networks of reverse proxies whose X-Forwarded-For header "
        "POST /collect trusts for the visitor's address, as JSON "
        "(e.g. '[\"10.0.0.0/8\"]'). Empty (default): the connection's peer "
        "address is the visitor's and X-Forwarded-For is ignored.",
    )

    audit_witness: str | None = Field(
        default=None,
        description="Where every audit checkpoint is also written, so that entries "
        "cut off the end of the log (with their checkpoints) or rewritten are caught "
        "by `tutela audit verify`: a file (one signed JSON record a line; put it on "
        "other, append-only storage) or an http(s):// URL that receives each record "
        "as a JSON POST (the file in the data directory is then kept too). "
        "Unset: DATA/audit/witness.jsonl.",
    )
    audit_seal_seconds: float = Field(
        default=60,
        gt=0,
        description="How often `tutela serve` and `tutela worker` sign the head of "
        "the audit log and write it to the witness while they run (when entries "
        "were added); every command also does it when it ends.",
    )

    session_hours: float = Field(
        default=8,
        gt=0,
        description="Longest life of a console or portal sign-in session, in hours; "
        "after it the user signs in again.",
    )
    session_idle_minutes: float = Field(
        default=30,
        gt=0,
        description="A session unused for this many minutes ends.",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins for one e-mail address (known or not) that lock "
        "it out for login_lockout_minutes.",
    )
    login_lockout_minutes: float = Field(
        default=15,
        gt=0,
        description="How long a locked-out address waits; also the window in which "
        "failures are counted.",
    )
    sar_requests_per_hour: int = Field(
        default=10,
        ge=1,
        description="Access requests one client address may make through the web "
        "form and POST /api/sar in any hour (per server process); more get 429.",
    )
    trusted_authserv_id: str | None = Field(
        default=None,
        description="authserv-id of the receiving mail server (MTA) in front of "
        "Tutela whose Authentication-Results headers are trusted, e.g. "
        "mx.jive.com; only the topmost header with that id counts. That MTA must "
        "remove such headers arriving from outside, and `tutela sar smtp` must be "
        "reachable only through it. Unset: no such header is trusted; `tutela sar "
        "smtp` removes them all on arrival and checks SPF, DKIM and DMARC itself.",
    )
    mail_per_address_per_hour: int = Field(
        default=3,
        ge=1,
        description="Requests that make Tutela mail one address someone typed in "
        "(subscription confirmations, access, erasure and correction requests and "
        "their codes, acknowledgements, unsubscribe links) allowed per address in "
        "each clock hour, counted in the database across every process; more get "
        "429 with Retry-After on the web and no mail.",
    )
    mail_per_address_per_day: int = Field(
        default=10,
        ge=1,
        description="The same, per address in each UTC day.",
    )
    api_token_days: int = Field(
        default=90,
        ge=1,
        description="Days a customer API bearer token stays valid after it is issued.",
    )
    officer_approval_days: int = Field(
        default=7,
        ge=1,
        description="Days a new privacy officer (added, or raised to the role, "
        "with a second officer's approval) must wait before approving anything "
        "another officer proposed: an override, a new officer, a raised role.",
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Mark the session cookie Secure. Unset: Secure when the request "
        "came over https. Set true behind a TLS-terminating proxy.",
    )
    staff: str | None = Field(
        default=None,
        description="E-mail address of the staff member CLI commands that act as "
        "staff sign in as, when --as is not given (e.g. the privacy officer "
        "running `tutela sar decide`).",
    )
    staff_password: SecretStr | None = Field(
        default=None,
        description="Password of that staff member, for scripts. Unset: the CLI "
        "prompts for it on a terminal. Each use counts toward the sign-in lockout.",
    )
    staff_token: SecretStr | None = Field(
        default=None,
        description="A staff member's API token (`tutela users token`) that signs "
        "CLI commands in instead of a password, e.g. for scheduled jobs.",
    )
    legal_holds: list[LegalHold] = Field(
        default_factory=list,
        description="JSON list of legal holds that keep a policy category after "
        "an account closes or an erasure, each with its reason and end, e.g. "
        '[{"category": "payment", "reason": "tax records", "days": 2555}] '
        "(an end is 'days' after the event or a date 'until').",
    )
    possession_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days an e-mail address or a line must have been on file "
        "before a rights request for a code sent to it to prove possession: the "
        "proof an erasure or a change of address or number needs "
        "(docs/verification.md).",
    )
    corrected_contact_days: int = Field(
        default=14,
        ge=1,
        le=3650,
        description="Days after a correction request changed an address or "
        "number before that new value can verify an access or erasure request "
        "(it must also be confirmed by a code sent to it).",
    )
    erasure_cooling_off_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="Days an erasure waits after its notice to the addresses on "
        "file, so that the person can stop it before anything is erased.",
    )
    former_customer_days: int = Field(
        default=0,
        ge=0,
        le=3650,
        description="Days after an account closes before `tutela retention run` "
        "erases the data kept while the business was a customer (calls, "
        "recordings, communications, contacts, payment, porting, voicemail), "
        "except what a legal hold keeps.",
    )
    quarantine_days: int = Field(
        default=90,
        gt=0,
        le=3650,
        description="Days an ingest quarantine file (refused input records, which "
        "can hold personal data) is kept before `tutela retention run` deletes it.",
    )

    log_level: Literal["debug", "info", "warning", "error"] | None = Field(
        default=None,
        description="Least severe log events written to stderr: debug, info, "
        "warning or error (one logfmt line each, event names and ids only, "
        "never personal values; see tutela/logs.py). Unset: info for `tutela "
        "serve` and `tutela worker`, warning for the other commands.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        # "INFO" as well as "info"; an empty variable is unset.
        if isinstance(value, str):
            return value.strip().lower() or None
        return value

    @field_validator("public_url")
    @classmethod
    def _absolute_web_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("give an absolute http(s) address, e.g. https://host")
        if parts.query or parts.fragment:
            raise ValueError("give an address without a query or fragment")
        return value.strip().rstrip("/")

    def public_link(self, path: str) -> str:
        """The absolute address of `path` (e.g. "/policy") for mail and exports."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        base = self.public_url or f"http://{host}:{self.port}"
        return base + "/" + path.lstrip("/")

    @property
    def sqlite_path(self) -> Path:
        return self.data / "tutela.db"

    @property
    def key_ring_path(self) -> Path:
        return self.data / "keys" / "fields.json"

    def resolved_database_url(self) -> str:
        url = self.database_url or f"sqlite:///{self.sqlite_path}"
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url


def load_settings() -> Settings:
    """The settings from the environment; `InvalidInput` naming each wrong variable.

    The value is never repeated (it may be a password or a database URL),
    and the error is the CLI's "unusable invocation" (exit 2), not a crash.
    """
    try:
        return Settings()
    except SettingsError as exc:
        found = re.search(r'field "(\w+)"', str(exc))
        name = _variable(found.group(1)) if found else "a TUTELA_* setting"
        raise InvalidInput("is not valid JSON", field=name) from None
    except ValidationError as exc:
        problems = [
            f"{_variable(str(error['loc'][0]) if error['loc'] else '')}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        ]
        raise InvalidInput(
            problems[0].partition(": ")[2],
            field=problems[0].partition(": ")[0],
            errors=problems,
        ) from None


def _variable(field: str) -> str:
    return "TUTELA_" + field.upper() if field else "a TUTELA_* setting"
