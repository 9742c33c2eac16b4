"""The Ed25519 key that signs audit checkpoints.

Clause: secure.measures. The private key lives in the data directory
(`keys/audit_ed25519.pem`, mode 0600, created on first use); its public half
is written beside it (`keys/audit_ed25519.pub.pem`) so that an auditor can
verify checkpoints without the private key. Creation is atomic: two processes
starting at once end up with the same key.

A key is named by its fingerprint, ``sha256:`` and the SHA-256 of its raw
32-byte public key in hex (its ``key_id`` is the first 32 hex digits). The
fingerprint is printed when the key is created (`created_keys`); keep it
outside the data directory and give it to ``tutela audit verify
--fingerprint`` so that a key swapped in the data directory shows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from tutela.errors import InvalidInput, TutelaError

log = logging.getLogger(__name__)

PRIVATE_NAME = "audit_ed25519.pem"
PUBLIC_NAME = "audit_ed25519.pub.pem"


def key_paths(data_dir: Path) -> tuple[Path, Path]:
    keys = data_dir / "keys"
    return keys / PRIVATE_NAME, keys / PUBLIC_NAME


_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
# Keys this process created: (private key path, fingerprint), for the CLI to print.
_created: list[tuple[Path, str]] = []


def fingerprint(public: Ed25519PublicKey) -> str:
    """``sha256:<hex>`` of the raw public key: the name to pin a key by."""
    raw = public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def key_id(public: Ed25519PublicKey) -> str:
    return fingerprint(public)[7:39]


def parse_fingerprint(text: str) -> str:
    """A fingerprint as given (any case, ``:`` or spaces between digit pairs)."""
    digits = re.sub(r"[\s:]", "", text.strip().lower().removeprefix("sha256:"))
    if not _FINGERPRINT.fullmatch(digits):
        raise InvalidInput(
            "is not a key fingerprint (sha256: and 64 hex digits, as "
            "`tutela audit key` prints it)",
            field="fingerprint",
        )
    return "sha256:" + digits


def created_keys() -> list[tuple[Path, str]]:
    """Take the keys created by this process since the last call."""
    taken = list(_created)
    _created.clear()
    return taken


@dataclass(frozen=True)
class Verifier:
    public: Ed25519PublicKey
    key_id: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            self.public.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    private: Ed25519PrivateKey
    key_id: str

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def verifier(self) -> Verifier:
        return Verifier(self.private.public_key(), self.key_id)


def load_or_create_signer(data_dir: Path) -> Signer:
    """The checkpoint signing key, created (0600) the first time it is needed."""
    private_path, public_path = key_paths(data_dir)
    if not private_path.exists():
        _create(private_path, public_path)
    try:
        loaded = serialization.load_pem_private_key(
            private_path.read_bytes(), password=None
        )
    except (OSError, ValueError) as exc:
        raise TutelaError(
            f"{private_path}: cannot read the audit signing key; restore it from "
            "backup (checkpoints signed with it cannot be verified otherwise)"
        ) from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise TutelaError(f"{private_path}: not an Ed25519 private key")
    return Signer(loaded, key_id(loaded.public_key()))


def load_verifier(data_dir: Path) -> Verifier | None:
    """The public key that checks checkpoints, or None if no key was ever made."""
    private_path, public_path = key_paths(data_dir)
    if public_path.exists():
        loaded = serialization.load_pem_public_key(public_path.read_bytes())
        if not isinstance(loaded, Ed25519PublicKey):
            raise TutelaError(f"{public_path}: not an Ed25519 public key")
        return Verifier(loaded, key_id(loaded))
    if private_path.exists():
        return load_or_create_signer(data_dir).verifier()
    return None


def load_public_key(path: Path) -> Verifier:
    """A `Verifier` from a PEM public key file (``audit_ed25519.pub.pem``)."""
    try:
        loaded = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError):
        raise InvalidInput(
            "cannot be read as a PEM public key", file=str(path)
        ) from None
    if not isinstance(loaded, Ed25519PublicKey):
        raise InvalidInput("is not an Ed25519 public key", file=str(path))
    return Verifier(loaded, key_id(loaded))


def _create(private_path: Path, public_path: Path) -> None:
    private_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = private_path.with_name(f".{private_path.name}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            os.link(tmp, private_path)  # atomic; fails if another process won
        except FileExistsError:
            return
    finally:
        tmp.unlink(missing_ok=True)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_tmp = public_path.with_name(f".{public_path.name}.{uuid.uuid4().hex}")
    fd = os.open(public_tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(public_pem)
    os.replace(public_tmp, public_path)
    printed = fingerprint(key.public_key())
    _created.append((private_path, printed))
    log.info("audit.signing_key_created fingerprint=%s", printed)
