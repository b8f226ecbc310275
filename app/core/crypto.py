"""Key material at rest: envelope encryption under the platform master key kept in `keys/`.

Each secret is encrypted with its own random data key (AES-256-GCM); the data key is wrapped with the master key
(AES-256-GCM, the key id as associated data). Only ciphertexts reach the database.
"""

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

MASTER_KEY_NAME = "master.key"


class MasterKeyMissing(RuntimeError):
    pass


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


def ensure_keys() -> None:
    """In development and testing, create missing keys on first run (mode 0600). Production never generates one."""
    if not current_app.config.get("CREATE_MASTER_KEY"):
        return
    for name, (_file, _path, value_setting) in KEYS.items():
        path = _key_path(name)
        if current_app.config.get(value_setting) or path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(AESGCM.generate_key(bit_length=256)))


def load_key(name: str) -> bytes:
    raw = current_app.config.get(KEYS[name][2])
    if not raw:
        path = _key_path(name)
        if not path.exists():
            raise MasterKeyMissing(f"{name} key not found at {path}")
        raw = path.read_bytes().strip()
    key = base64.b64decode(raw)
    if len(key) != 32:
        raise MasterKeyMissing(f"the {name} key must be 32 bytes, base64-encoded")
    return key


def master_key() -> bytes:
    return load_key("master")


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def master_key_id() -> str:
    return _key_id(master_key())


def keyring() -> dict[str, bytes]:
    """The current master key and any retired ones still on disk (master-<id>.key), by key id. Reads use the key a
    ciphertext names, so data wrapped under the old key stays readable while `flask keys rotate-master` re-wraps it."""
    ring = {master_key_id(): master_key()}
    for path in _key_path("master").parent.glob("master-*.key"):
        key = base64.b64decode(path.read_bytes().strip())
        ring[_key_id(key)] = key
    return ring


def _write_private(path: Path, data: bytes) -> None:
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(partial, path)


def rotate_master_key() -> tuple[str, str]:
    """Keep the current master key as master-<id>.key and make a new one current. Returns (old id, new id)."""
    if current_app.config.get("MASTER_KEY"):
        raise MasterKeyMissing("the master key is given by MASTER_KEY; rotate by file (MASTER_KEY_FILE) instead")
    path, old = _key_path("master"), master_key()
    _write_private(path.parent / f"master-{_key_id(old)}.key", base64.b64encode(old))
    _write_private(path, base64.b64encode(AESGCM.generate_key(bit_length=256)))
    return _key_id(old), master_key_id()


def retire_master_key(key_id: str) -> None:
    (_key_path("master").parent / f"master-{key_id}.key").unlink(missing_ok=True)


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes
    wrapped_key: bytes
    master_key_id: str


def seal(secret: bytes, context: str) -> Sealed:
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, secret, context.encode())
    wrap_nonce = os.urandom(12)
    wrapped = wrap_nonce + AESGCM(master_key()).encrypt(wrap_nonce, data_key, context.encode())
    return Sealed(ciphertext, wrapped, master_key_id())


def _data_key(sealed: Sealed, context: str) -> bytes:
    master = keyring().get(sealed.master_key_id)
    if master is None:
        raise MasterKeyMissing(f"master key {sealed.master_key_id} is not in the key store")
    wrapped = sealed.wrapped_key
    return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], context.encode())


def unseal(sealed: Sealed, context: str) -> bytes:
    data_key = _data_key(sealed, context)
    return AESGCM(data_key).decrypt(sealed.ciphertext[:12], sealed.ciphertext[12:], context.encode())


def rewrap(sealed: Sealed, context: str) -> Sealed:
    """The same ciphertext with its data key wrapped under the current master key (the secret is never unsealed)."""
    data_key = _data_key(sealed, context)
    nonce = os.urandom(12)
    wrapped = nonce + AESGCM(master_key()).encrypt(nonce, data_key, context.encode())
    return Sealed(sealed.ciphertext, wrapped, master_key_id())


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
