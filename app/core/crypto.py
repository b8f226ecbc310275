"""Key material at rest: envelope encryption under the platform master key kept in `keys/`.

Each secret is encrypted with its own random data key (AES-256-GCM); the data key is wrapped with the master key
(AES-256-GCM, the key id as associated data). Only ciphertexts reach the database.

The key store holds several master keys by id (`master.key`, or MASTER_KEY / MASTER_KEY_FILE, and any number of
`master-<id>.key` beside it); a ciphertext names the key that wraps it and any key on the host opens it. Which key
*new* seals use is recorded once for every host, in the database (`master_key_current`; without a row: the key of
`master.key`). So a rotation across hosts is three steps that never stop the service (README, Production): stage the
new key on every host (`flask keys stage-master`), make it current and re-wrap (`flask keys rewrap-master`), retire
the old one (`flask keys retire-master`).
"""

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db

MASTER_KEY_NAME = "master.key"


class MasterKeyMissing(RuntimeError):
    pass


class MasterKeyCurrent(db.Model):
    __tablename__ = "master_key_current"
    __table_args__ = {"comment": "Which master key new seals use, the same for every host (one row)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(sa.String(16), comment="SHA-256 prefix of the key; the key itself is in keys/")
    activated_at: Mapped[datetime] = mapped_column(default=utcnow)


# Named keys kept in keys/: (file name, config key holding a file path, config key holding the value itself).
KEYS = {
    "master": (MASTER_KEY_NAME, "MASTER_KEY_FILE", "MASTER_KEY"),
    "audit_chain": ("audit-chain.key", "AUDIT_CHAIN_KEY_FILE", "AUDIT_CHAIN_KEY"),
    # S9: the Ed25519 private key (32 bytes) that signs the digest of every issued document.
    "document_signing": ("document-signing.key", "DOCUMENT_SIGNING_KEY_FILE", "DOCUMENT_SIGNING_KEY"),
}


def _key_path(name: str) -> Path:
    file_name, path_setting, _value = KEYS[name]
    configured = current_app.config.get(path_setting)
    return Path(configured) if configured else Path(current_app.config["KEYS_DIR"]) / file_name


def _master_folder() -> Path:
    return _key_path("master").parent


def ensure_keys() -> None:
    """In development and testing, create missing keys on first run (mode 0600). Production never generates one."""
    if not current_app.config.get("CREATE_MASTER_KEY"):
        return
    for name, (_file, _path, value_setting) in KEYS.items():
        path = _key_path(name)
        if current_app.config.get(value_setting) or path.exists() or (name == "master" and keyring()):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(AESGCM.generate_key(bit_length=256)))


def _decode(raw: bytes, what: str) -> bytes:
    key = base64.b64decode(raw.strip())
    if len(key) != 32:
        raise MasterKeyMissing(f"the {what} key must be 32 bytes, base64-encoded")
    return key


def load_key(name: str) -> bytes:
    raw = current_app.config.get(KEYS[name][2])
    if not raw:
        path = _key_path(name)
        if not path.exists():
            raise MasterKeyMissing(f"{name} key not found at {path}")
        raw = path.read_bytes()
    return _decode(raw if isinstance(raw, bytes) else raw.encode(), name)


def check_keys() -> None:
    """Start only with every key: the audit-chain and signing keys, and at least one master key."""
    for name in KEYS:
        if name != "master":
            load_key(name)
    if not keyring():
        raise MasterKeyMissing(f"no master key: neither MASTER_KEY, {_key_path('master')} nor master-<id>.key")


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def keyring() -> dict[str, bytes]:
    """Every master key this host holds, by key id: MASTER_KEY, master.key (or MASTER_KEY_FILE) and each
    master-<id>.key beside it. A file whose name does not match its key is refused (a copy gone wrong)."""
    ring = {}
    value = current_app.config.get("MASTER_KEY")
    if value:
        key = _decode(value.encode(), "master")
        ring[_key_id(key)] = key
    path = _key_path("master")
    if path.exists():
        key = _decode(path.read_bytes(), "master")
        ring[_key_id(key)] = key
    for staged in sorted(_master_folder().glob("master-*.key")):
        key = _decode(staged.read_bytes(), "master")
        if staged.name != f"master-{_key_id(key)}.key":
            raise MasterKeyMissing(f"{staged} holds key {_key_id(key)}, not the one its name says")
        ring[_key_id(key)] = key
    return ring


def _default_master_id() -> str:
    value, path = current_app.config.get("MASTER_KEY"), _key_path("master")
    if value:
        return _key_id(_decode(value.encode(), "master"))
    if not path.exists():
        raise MasterKeyMissing("no current master key is recorded and master.key is missing")
    return _key_id(_decode(path.read_bytes(), "master"))


def master_key_id() -> str:
    """The id of the master key new seals use: recorded in the database for every host, else master.key's."""
    row = db.session.get(MasterKeyCurrent, 1)
    return row.key_id if row is not None else _default_master_id()


def current_master() -> tuple[str, bytes]:
    """(id, key) of the master key new seals use; MasterKeyMissing when this host has not been given it."""
    key_id = master_key_id()
    key = keyring().get(key_id)
    if key is None:
        raise MasterKeyMissing(
            f"the current master key {key_id} is not on this host: stage it here first (flask keys stage-master)"
        )
    return key_id, key


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(partial, path)


def stage_master_key(source: Path | None = None) -> str:
    """Put a master key in this host's key store as master-<id>.key, without making it current: a new one, or the
    one in `source` (the file staged on the first host, copied here). Returns its id."""
    key = _decode(source.read_bytes(), "master") if source else AESGCM.generate_key(bit_length=256)
    key_id = _key_id(key)
    _write_private(_master_folder() / f"master-{key_id}.key", base64.b64encode(key))
    return key_id


def activate_master_key(key_id: str) -> str:
    """Record `key_id` as the key new seals use on every host (in the caller's transaction); the previous id."""
    if key_id not in keyring():
        raise MasterKeyMissing(f"master key {key_id} is not on this host: stage it first (flask keys stage-master)")
    previous = master_key_id()
    row = db.session.get(MasterKeyCurrent, 1) or MasterKeyCurrent(id=1)
    row.key_id, row.activated_at = key_id, utcnow()
    db.session.add(row)
    return previous


def retire_master_key(key_id: str) -> list[str]:
    """Remove `key_id` from this host's key store (never the current key, never a key given by MASTER_KEY); the
    files removed. The caller checks first that no sealed row names it."""
    if key_id == master_key_id():
        raise MasterKeyMissing(f"master key {key_id} is the current one: rewrap to another before retiring it")
    value = current_app.config.get("MASTER_KEY")
    if value and _key_id(_decode(value.encode(), "master")) == key_id:
        raise MasterKeyMissing("this key is given by MASTER_KEY: remove it from the environment instead")
    removed = []
    for path in [_key_path("master"), *_master_folder().glob("master-*.key")]:
        if path.exists() and _key_id(_decode(path.read_bytes(), "master")) == key_id:
            path.unlink()
            removed.append(path.name)
    return removed


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes
    wrapped_key: bytes
    master_key_id: str


def seal(secret: bytes, context: str) -> Sealed:
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, secret, context.encode())
    key_id, master = current_master()
    wrap_nonce = os.urandom(12)
    wrapped = wrap_nonce + AESGCM(master).encrypt(wrap_nonce, data_key, context.encode())
    return Sealed(ciphertext, wrapped, key_id)


def _data_key(sealed: Sealed, context: str) -> bytes:
    master = keyring().get(sealed.master_key_id)
    if master is None:
        raise MasterKeyMissing(f"master key {sealed.master_key_id} is not on this host (keys/master-<id>.key)")
    wrapped = sealed.wrapped_key
    return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], context.encode())


def unseal(sealed: Sealed, context: str) -> bytes:
    data_key = _data_key(sealed, context)
    return AESGCM(data_key).decrypt(sealed.ciphertext[:12], sealed.ciphertext[12:], context.encode())


def rewrap(sealed: Sealed, context: str) -> Sealed:
    """The same ciphertext with its data key wrapped under the current master key (the secret is never unsealed)."""
    data_key = _data_key(sealed, context)
    key_id, master = current_master()
    nonce = os.urandom(12)
    wrapped = nonce + AESGCM(master).encrypt(nonce, data_key, context.encode())
    return Sealed(sealed.ciphertext, wrapped, key_id)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
