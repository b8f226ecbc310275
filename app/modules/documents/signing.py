"""The electronic seal of issued documents (S9): an Ed25519 key in keys/document-signing.key signs the SHA-256 of each
file. (`cryptography` has no SM2; Ed25519 is its standard signature scheme. The public key is published at
/verify/public-key.pem so anyone can check a signature offline.)"""

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.core.crypto import load_key


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(load_key("document_signing"))


def public_key() -> Ed25519PublicKey:
    return _private_key().public_key()


def public_key_pem() -> bytes:
    return public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def signing_key_id() -> str:
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign_digest(file_sha256: str) -> str:
    return base64.b64encode(_private_key().sign(bytes.fromhex(file_sha256))).decode()


def signature_valid(file_sha256: str, signature: str) -> bool:
    try:
        public_key().verify(base64.b64decode(signature), bytes.fromhex(file_sha256))
    except (InvalidSignature, ValueError):
        return False
    return True
