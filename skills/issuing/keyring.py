"""The issuer's Ed25519 keys: one file (mode 0600), the newest key signs, older ones still verify."""

from __future__ import annotations

import base64
import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from core.errors import ConfigurationError

_ED25519_MULTICODEC = b"\xed\x01"


class KeyProblem(ConfigurationError):
    """The issuer's key file is missing, unreadable, malformed or readable by others."""


@dataclass(frozen=True)
class IssuerKey:
    """One Ed25519 key pair; `name` is its fragment in a did:web document (`#key-...`)."""

    name: str
    private: Ed25519PrivateKey
    created: str

    @property
    def public_bytes(self) -> bytes:
        """The 32 raw public key bytes."""
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def multikey(self) -> str:
        """The public key as an Ed25519 multikey (`z6Mk...`)."""
        return "z" + base58.b58encode(_ED25519_MULTICODEC + self.public_bytes).decode()

    def sign(self, data: bytes) -> bytes:
        """An Ed25519 signature."""
        return self.private.sign(data)

    def __repr__(self) -> str:  # never show the private key
        return f"IssuerKey(name={self.name!r}, multikey={self.multikey!r})"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_key() -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return IssuerKey(name="key-" + _b64(raw)[:8], private=private, created=datetime.now(UTC).isoformat())


def check_permissions(path: Path) -> None:
    """KeyProblem when the key file is missing or group/world readable."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyProblem(f"the issuer key file {path} does not exist: run `badger issuer init` "
                         "(or set BADGER_ISSUER_KEY_PATH to your key file)") from None
    except OSError as exc:
        raise KeyProblem(f"can't read the issuer key file {path} ({exc.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyProblem(f"the issuer key file {path} is readable by others (mode {stat.S_IMODE(mode):o}): "
                         f"run `chmod 600 {path}`")


def load_keys(path: Path) -> list[IssuerKey]:
    """The keys in the file, oldest first (the last one signs); KeyProblem names what is wrong."""
    check_permissions(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = [IssuerKey(name=str(k["name"]), created=str(k.get("created", "")),
                          private=Ed25519PrivateKey.from_private_bytes(_unb64(str(k["private_key"]))))
                for k in data["keys"]]
    except OSError as exc:
        raise KeyProblem(f"can't read the issuer key file {path} ({exc.strerror})") from None
    except (ValueError, KeyError, TypeError):
        raise KeyProblem(f"the issuer key file {path} is not a Badger key file (expected JSON with Ed25519 "
                         "keys, as `badger issuer init` writes)") from None
    if not keys:
        raise KeyProblem(f"the issuer key file {path} holds no key: run `badger issuer rotate`")
    return keys


def _write(path: Path, keys: list[IssuerKey]) -> None:
    """Write atomically, created 0600 (never briefly readable by others)."""
    body = {"keys": [{"name": k.name, "created": k.created, "type": "Ed25519",
                      "private_key": _b64(k.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))}
                     for k in keys]}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(body, handle, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def init_keys(path: Path) -> IssuerKey:
    """Make the first key; refuses to overwrite an existing file (that would orphan every issued badge)."""
    if path.exists():
        raise KeyProblem(f"{path} already exists; use `badger issuer rotate` for a new key "
                         "(old keys stay so earlier badges still verify)")
    key = _new_key()
    _write(path, [key])
    return key


def rotate_keys(path: Path) -> IssuerKey:
    """Add a new signing key; the old ones stay as verification methods."""
    keys = load_keys(path)
    key = _new_key()
    _write(path, [*keys, key])
    return key
