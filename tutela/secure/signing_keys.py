"""The Ed25519 key that signs audit checkpoints.

Clause: secure.measures. The private key lives in the data directory
(`keys/audit_ed25519.pem`, mode 0600, created on first use); its public half
is written beside it (`keys/audit_ed25519.pub.pem`) so that an auditor can
verify checkpoints without the private key. Creation is atomic: two processes
starting at once end up with the same key.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from tutela.errors import TutelaError

PRIVATE_NAME = "audit_ed25519.pem"
PUBLIC_NAME = "audit_ed25519.pub.pem"


def key_paths(data_dir: Path) -> tuple[Path, Path]:
    keys = data_dir / "keys"
    return keys / PRIVATE_NAME, keys / PUBLIC_NAME


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()[:32]


@dataclass(frozen=True)
class Verifier:
    public: Ed25519PublicKey
    key_id: str

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
