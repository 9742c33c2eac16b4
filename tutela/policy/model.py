"""The policy as data: pydantic models of a privacy policy document.

A policy has two halves. `document` keeps every sentence of the published
text as a clause with a stable id (so the text can be re-rendered, and tests
and audit records can point at a sentence). `meaning` carries what the code
enforces: categories, purposes, recipients, prohibitions and procedures, each
naming the clauses that state it. Cross-references are checked here, so a
policy that loads is internally consistent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

CLAUSE_ID = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
SLUG = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    """Base: unknown keys are errors, so a typo never silently drops a rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- document


class Clause(Strict):
    id: str = Field(pattern=CLAUSE_ID)
    text: str = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("clause text must be a single sentence on one line")
        return value.strip()


class ListItem(Strict):
    lead: str | None = None
    clauses: list[Clause] = Field(min_length=1)


class ParagraphBlock(Strict):
    paragraph: list[Clause] = Field(min_length=1)


class ListBlock(Strict):
    items: list[ListItem] = Field(alias="list", min_length=1)


Block = ParagraphBlock | ListBlock


class Section(Strict):
    id: str = Field(pattern=SLUG)
    heading: str | None
    level: int = Field(default=2, ge=2, le=4)
    blocks: list[Block] = Field(min_length=1)

    def clauses(self) -> Iterator[Clause]:
        for block in self.blocks:
            if isinstance(block, ParagraphBlock):
                yield from block.paragraph
            else:
                for item in block.items:
                    yield from item.clauses


# ---------------------------------------------------------------- meaning


class Source(StrEnum):
    requested = "requested"
    volunteered = "volunteered"
    service_use = "service_use"
    web_use = "web_use"


class RetentionRule(StrEnum):
    while_customer = "while_customer"
    until_customer_deletes = "until_customer_deletes"
    fixed_period = "fixed_period"


class Retention(Strict):
    rule: RetentionRule
    days: int | None = Field(default=None, gt=0)
    description: str

    @model_validator(mode="after")
    def _days_only_for_fixed(self) -> Retention:
        if (self.rule is RetentionRule.fixed_period) != (self.days is not None):
            raise ValueError("'days' is required for fixed_period and only for it")
        return self


class NeverStore(Strict):
    field: str = Field(pattern=SLUG)
    reason: str


class NoticeMethod(StrEnum):
    announcement_prompt = "announcement_prompt"
    verbal = "verbal"
    written = "written"


class Notice(Strict):
    required: bool
    methods: list[NoticeMethod] = Field(min_length=1)
    all_party_consent_jurisdictions: list[str] = Field(default_factory=list)

    @field_validator("all_party_consent_jurisdictions")
    @classmethod
    def _iso_codes(cls, value: list[str]) -> list[str]:
        # A state or province (ISO 3166-2, 'US-CA'), a whole country (ISO
        # 3166-1, 'CA'), or OTHER: every country outside the US and Canada,
        # the policy's own word for where recipients may be.
        for code in value:
            if code != "OTHER" and not re.fullmatch(
                r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?", code
            ):
                raise ValueError(
                    f"{code!r} is not an ISO 3166 code like 'US-CA' or 'CA', or OTHER"
                )
        return value


class Category(Strict):
    id: str = Field(pattern=SLUG)
    name: str
    source: Source
    clauses: list[str] = Field(min_length=1)
    fides: list[str] = Field(min_length=1)
    dpv: list[str] = Field(min_length=1)
    fields: list[str] = Field(min_length=1)
    secret: list[str] = Field(default_factory=list)
    never_store: list[NeverStore] = Field(default_factory=list)
    retention: Retention
    linkable: bool = True
    completeness: Literal["every_call"] | None = None
    notice: Notice | None = None

    @model_validator(mode="after")
    def _fields_consistent(self) -> Category:
        unknown = sorted(set(self.secret) - set(self.fields))
        if unknown:
            raise ValueError(f"secret fields {unknown} are not among the fields")
        stored_forbidden = sorted(
            {n.field for n in self.never_store} & set(self.fields)
        )
        if stored_forbidden:
            raise ValueError(
                f"fields {stored_forbidden} are both stored and never_store"
            )
        return self


class Purpose(Strict):
    id: str = Field(pattern=SLUG)
    clause: str
    fides: list[str] = Field(min_length=1)
    dpv: list[str] = Field(min_length=1)
    categories: list[str] = Field(min_length=1)


class RecipientKind(StrEnum):
    processor = "processor"
    legal_obligation = "legal_obligation"
    affiliate = "affiliate"
    business_transfer = "business_transfer"


class Recipient(Strict):
    id: str = Field(pattern=SLUG)
    kind: RecipientKind
    relationship: Literal["subsidiary", "parent", "sibling"] | None = None
    clauses: list[str] = Field(min_length=1)
    description: str
    categories: list[str] | Literal["all"]
    purposes: list[str] | None = None
    requires: list[
        Literal["legal_reference", "issuing_authority", "transaction_reference"]
    ] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_rules(self) -> Recipient:
        if (self.kind is RecipientKind.affiliate) != (self.relationship is not None):
            raise ValueError(
                "'relationship' is required for affiliates and only for them"
            )
        if self.kind is RecipientKind.processor and not self.purposes:
            raise ValueError("a processor must name the purposes it processes for")
        if (
            self.kind is RecipientKind.legal_obligation
            and "legal_reference" not in self.requires
        ):
            raise ValueError(
                "a legal-obligation recipient must require a legal_reference"
            )
        return self


class Jurisdictions(Strict):
    clauses: list[str] = Field(min_length=1)
    recipient_locations: list[Literal["US", "CA", "OTHER"]] = Field(min_length=1)
    record_cross_border: bool


class Prohibition(Strict):
    id: str = Field(pattern=SLUG)
    clause: str
    rule: str
    forbidden_disclosure_purposes: list[str] = Field(default_factory=list)
    unlinkable_categories: list[str] = Field(default_factory=list)
    account_kinds: list[Literal["business"]] = Field(default_factory=list)


EMAIL = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"


class AccessRequest(Strict):
    clauses: list[str] = Field(min_length=1)
    address: str = Field(pattern=EMAIL)
    heading: str = Field(min_length=3)
    verification: Literal["required", "optional"]
    fee: Literal["allowed", "never"]
    rejection_grounds: list[Literal["unreasonable", "impractical"]]
    # How a subject access export shows the other party's number of a call
    # or voicemail (rights.access): the rest of the number identifies someone
    # else, so the default keeps only what the subject needs to recognise it.
    counterpart_numbers: Literal["mask_last_4", "full", "omit"] = "mask_last_4"


class ChangeProcedure(Strict):
    clauses: list[str] = Field(min_length=1)
    address: str = Field(pattern=EMAIL)
    heading: str = Field(min_length=3)
    notice: Literal["good_faith_email"]
    effective_on_publication: bool


class Contact(Strict):
    clauses: list[str] = Field(min_length=1)
    address: str = Field(pattern=EMAIL)


class CustomTaxonomyKey(Strict):
    fides_key: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$")
    parent_key: str
    name: str
    description: str

    @model_validator(mode="after")
    def _parent_is_prefix(self) -> CustomTaxonomyKey:
        if self.fides_key.rpartition(".")[0] != self.parent_key:
            raise ValueError("parent_key must be the fides_key without its last part")
        return self


class Meaning(Strict):
    custom_taxonomy: list[CustomTaxonomyKey] = Field(default_factory=list)
    categories: list[Category] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    recipients: list[Recipient] = Field(min_length=1)
    jurisdictions: Jurisdictions
    prohibitions: list[Prohibition] = Field(default_factory=list)
    access_request: AccessRequest
    change_procedure: ChangeProcedure
    contact: Contact


# ---------------------------------------------------------------- policy


class Policy(Strict):
    schema_version: Literal[1]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    organization: str
    short_name: str
    published: dt.date
    provenance: str | None = None
    document: list[Section] = Field(min_length=1)
    meaning: Meaning

    # -- lookups

    def clauses(self) -> Iterator[Clause]:
        for section in self.document:
            yield from section.clauses()

    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses():
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)

    def category(self, category_id: str) -> Category:
        for category in self.meaning.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def purpose(self, purpose_id: str) -> Purpose:
        for purpose in self.meaning.purposes:
            if purpose.id == purpose_id:
                return purpose
        raise KeyError(purpose_id)

    def recipient(self, recipient_id: str) -> Recipient:
        for recipient in self.meaning.recipients:
            if recipient.id == recipient_id:
                return recipient
        raise KeyError(recipient_id)

    def category_ids(self) -> list[str]:
        return [c.id for c in self.meaning.categories]

    # -- cross-references

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> Policy:
        problems = self.reference_problems()
        sink = (info.context or {}).get("reference_problems")
        if isinstance(sink, list):
            # The loader collects them with their paths, to report line numbers.
            sink.extend(problems)
        elif problems:
            raise ValueError(
                "; ".join(f"{_dotted(loc)}: {msg}" for loc, msg in problems)
            )
        return self

    def reference_problems(self) -> list[tuple[Loc, str]]:
        """Every id that does not resolve, with its path in the document."""
        problems: list[tuple[Loc, str]] = []
        clause_ids: list[str] = []
        seen: set[str] = set()
        for s_i, section in enumerate(self.document):
            for c in section.clauses():
                if c.id in seen:
                    problems.append(
                        (("document", s_i), f"duplicate clause id {c.id!r}")
                    )
                seen.add(c.id)
                clause_ids.append(c.id)
        m = self.meaning
        categories = {c.id for c in m.categories}
        purposes = {p.id for p in m.purposes}
        for kind, ids in (
            ("categories", [c.id for c in m.categories]),
            ("purposes", [p.id for p in m.purposes]),
            ("recipients", [r.id for r in m.recipients]),
        ):
            for i, ident in enumerate(ids):
                if ident in ids[:i]:
                    problems.append(
                        (("meaning", kind, i, "id"), f"duplicate id {ident!r}")
                    )

        def clauses(loc: Loc, refs: list[str]) -> None:
            for ref in refs:
                if ref not in seen:
                    problems.append((loc, f"unknown clause {ref!r}"))

        def cats(loc: Loc, refs: list[str] | str) -> None:
            if refs == "all":
                return
            for ref in refs:
                if ref not in categories:
                    problems.append((loc, f"unknown category {ref!r}"))

        for i, cat in enumerate(m.categories):
            clauses(("meaning", "categories", i, "clauses"), cat.clauses)
        for i, p in enumerate(m.purposes):
            clauses(("meaning", "purposes", i, "clause"), [p.clause])
            cats(("meaning", "purposes", i, "categories"), p.categories)
        for i, r in enumerate(m.recipients):
            clauses(("meaning", "recipients", i, "clauses"), r.clauses)
            cats(("meaning", "recipients", i, "categories"), r.categories)
            for ref in r.purposes or []:
                if ref not in purposes:
                    problems.append(
                        (
                            ("meaning", "recipients", i, "purposes"),
                            f"unknown purpose {ref!r}",
                        )
                    )
        for i, pr in enumerate(m.prohibitions):
            clauses(("meaning", "prohibitions", i, "clause"), [pr.clause])
            cats(
                ("meaning", "prohibitions", i, "unlinkable_categories"),
                pr.unlinkable_categories,
            )
        clauses(("meaning", "jurisdictions", "clauses"), m.jurisdictions.clauses)
        clauses(("meaning", "access_request", "clauses"), m.access_request.clauses)
        clauses(("meaning", "change_procedure", "clauses"), m.change_procedure.clauses)
        clauses(("meaning", "contact", "clauses"), m.contact.clauses)
        # Website and ad data may never be used together with identifying data.
        unlinkable = {c.id for c in m.categories if not c.linkable}
        for i, p in enumerate(m.purposes):
            used = set(p.categories)
            if used & unlinkable and used - unlinkable:
                problems.append(
                    (
                        ("meaning", "purposes", i, "categories"),
                        f"mixes unlinkable categories {sorted(used & unlinkable)} "
                        f"with identifying ones {sorted(used - unlinkable)}",
                    )
                )
        return problems


Loc = tuple[str | int, ...]


def _dotted(loc: Sequence[str | int]) -> str:
    """`("meaning", "categories", 3, "id")` -> `meaning.categories[3].id`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
