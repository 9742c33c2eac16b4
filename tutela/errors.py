"""One root for every error Tutela raises on purpose.

    TutelaError                 (status 500, exit 2)
     ├── InvalidInput           (400, exit 2)  file, line, field, reason
     │    └── PolicyInvalid     (400, exit 2)  a policy document that fails validation
     ├── NotFound               (404, exit 2)
     ├── Forbidden              (403, exit 2)
     │    └── PurposeNotPermitted (403, exit 2)
     └── Conflict               (409, exit 2)

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
