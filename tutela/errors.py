"""One root for every error Tutela raises on purpose.

    TutelaError                 (status 500, exit 2)
     ├── InvalidInput           (400, exit 2)  file, line, field, reason
     │    └── PolicyInvalid     (400, exit 2)  a policy document that fails validation
     ├── NotFound               (404, exit 2)
     ├── Forbidden              (403, exit 2)
     │    ├── PurposeNotPermitted (403, exit 2)
     │    │    └── PurposeDenied   (403, exit 2)  actor, purpose, category
     │    └── DisclosureRefused (403, exit 1)  recipient, clause, reason
     └── Conflict               (409, exit 2)
          └── PublicationRefused (409, exit 1)  a policy version that may not be published

Each class carries the HTTP status the web layer answers with and the exit
code the CLI ends with; exactly one handler in each translates them.
Messages name what failed and where, never the value of a personal field.
"""

from __future__ import annotations

from dataclasses import dataclass


class TutelaError(Exception):
    """Base of every deliberate Tutela error."""

    status: int = 500
    exit_code: int = 2

    def __init__(self, message: str, *, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: list[str] = list(errors or [])

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Location:
    """Where in an input a problem sits; every part is optional."""

    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" [{self.field}]"
        return where


class InvalidInput(TutelaError):
    """Input that cannot be used as given: says where and why."""

    status = 400

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        errors: list[str] | None = None,
    ) -> None:
        self.location = Location(file=file, line=line, field=field)
        self.reason = reason
        has_where = file is not None or line is not None or field is not None
        message = f"{self.location}: {reason}" if has_where else reason
        super().__init__(message, errors=errors)


class PolicyInvalid(InvalidInput):
    """A policy document that does not validate; `errors` lists every problem."""


class NotFound(TutelaError):
    status = 404


class Forbidden(TutelaError):
    status = 403


class PurposeNotPermitted(Forbidden):
    """A use of personal data for a purpose the policy does not permit."""


class Conflict(TutelaError):
    status = 409


class TooManyRequests(TutelaError):
    """A client asked more often than a public form allows; retry later."""

    status = 429

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PurposeDenied(PurposeNotPermitted):
    """An actor asked `tutela.access` for data its purpose or role does not permit.

    Carries surrogate ids and policy ids only: the actor's id, the purpose,
    the refused category (if one is to blame) and the reason.
    """

    def __init__(
        self,
        *,
        actor: str,
        purpose: str,
        category: str | None,
        reason: str,
        clause: str | None = None,
    ) -> None:
        self.actor = actor
        self.purpose = purpose
        self.category = category
        self.reason = reason
        self.clause = clause
        what = f"category {category!r}" if category else "personal data"
        super().__init__(
            f"purpose denied: actor {actor!r} may not read {what} "
            f"for purpose {purpose!r}: {reason}"
        )


class DisclosureRefused(Forbidden):
    """A disclosure the policy does not allow; it is recorded in the ledger anyway."""

    exit_code = 1

    def __init__(self, *, recipient: str, reason: str, clause: str | None) -> None:
        self.recipient = recipient
        self.reason = reason
        self.clause = clause
        where = f" ({clause})" if clause else ""
        super().__init__(f"disclosure to {recipient!r} refused{where}: {reason}")


class PublicationRefused(Conflict):
    """A policy file that may not be published as a new version; `errors` says why.

    Exit 1, like `tutela policy check` finding problems: the file was read
    and judged, and the verdict is no.
    """

    exit_code = 1
