"""Field encryption keys: AES-256-GCM, with a key id stored beside every value.

Policy: porting account numbers and PINs (and any field the policy marks
`secret`) are encrypted at rest. The key ring lives in the data directory
(`keys/fields.json`, mode 0600) or comes from `TUTELA_FIELD_KEYS`; every
ciphertext names the key that sealed it, so `tutela keys rotate` can add a
new primary key and re-encrypt old values without a flag day.

Ciphertext format (text, so it survives every database):
    v1:<key id>:<base64url(nonce || ciphertext+tag)>
The column name is bound in as associated data, so a value copied into
another column does not decrypt.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tutela.errors import InvalidInput, TutelaError

PREFIX = "v1"


class SealError(TutelaError):
    """A value cannot be sealed or opened with the keys at hand."""


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class KeyRing:
    """Named AES-256 keys; `primary` seals new values, all of them open old ones."""

    keys: dict[str, bytes]
    primary: str
    source: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.primary not in self.keys:
            raise InvalidInput(
                "the primary key id is not in the key ring", field="primary"
            )
        for kid, key in self.keys.items():
            if len(key) != 32:
                raise InvalidInput(f"key {kid!r} is not 256 bits", field="keys")

    @classmethod
    def generate(cls, source: Path | None = None) -> KeyRing:
        kid = new_key_id()
        return cls(
            keys={kid: AESGCM.generate_key(bit_length=256)}, primary=kid, source=source
        )

    # -- persistence

    def to_json(self) -> str:
        keys = {kid: _b64e(key) for kid, key in self.keys.items()}
        return json.dumps({"primary": self.primary, "keys": keys}, indent=2)

    @classmethod
    def from_json(cls, text: str, source: Path | None = None) -> KeyRing:
        where = str(source) if source else "TUTELA_FIELD_KEYS"
        try:
            data = json.loads(text)
            keys = {str(k): _b64d(str(v)) for k, v in data["keys"].items()}
            return cls(keys=keys, primary=str(data["primary"]), source=source)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(
                f"unreadable key ring ({type(exc).__name__})", file=where
            ) from exc

    def save(self) -> None:
        if self.source is None:
            raise TutelaError(
                "this key ring came from the environment; it cannot be saved"
            )
        self.source.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if stat.S_IMODE(self.source.parent.stat().st_mode) & 0o077:
            self.source.parent.chmod(0o700)
        tmp = self.source.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.source)

    @classmethod
    def load_or_create(cls, path: Path) -> KeyRing:
        if path.exists():
            return cls.from_json(path.read_text(encoding="utf-8"), source=path)
        ring = cls.generate(source=path)
        ring.save()
        return ring

    # -- sealing

    def rotate(self) -> str:
        """Add a fresh primary key; old keys stay so old values still open."""
        kid = new_key_id()
        self.keys[kid] = AESGCM.generate_key(bit_length=256)
        self.primary = kid
        return kid

    def seal(self, plaintext: str, *, context: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.keys[self.primary]).encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        return f"{PREFIX}:{self.primary}:{_b64e(nonce + sealed)}"

    def open(self, token: str, *, context: str) -> str:
        try:
            version, kid, body = token.split(":", 2)
        except ValueError:
            raise SealError(f"{context}: value is not an encrypted field") from None
        if version != PREFIX:
            raise SealError(f"{context}: unknown ciphertext version {version!r}")
        key = self.keys.get(kid)
        if key is None:
            raise SealError(
                f"{context}: sealed with key {kid!r}, which is not in the ring"
            )
        raw = _b64d(body)
        try:
            return (
                AESGCM(key)
                .decrypt(raw[:12], raw[12:], context.encode("utf-8"))
                .decode()
            )
        except InvalidTag:
            raise SealError(f"{context}: ciphertext does not authenticate") from None

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.split(":", 2)[1]


def new_key_id() -> str:
    return "k" + secrets.token_hex(4)
