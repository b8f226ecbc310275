"""Backup encryption: a passphrase-derived key (scrypt) and chunked AES-256-GCM.

File layout: MAGIC, 16-byte salt, 8-byte nonce prefix, then chunks of [4-byte length][ciphertext]. Each chunk's nonce
is the prefix plus its counter; its associated data says whether it is the last one, so reordering, truncation and any
altered byte are all detected on restore.
"""

import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"ESSCBK1\n"
CHUNK = 1024 * 1024
SCRYPT = {"n": 2**15, "r": 8, "p": 1}


class BackupCorrupt(Exception):
    pass


def _key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase or "") < 12:
        raise ValueError("the backup passphrase needs at least 12 characters")
    return hashlib.scrypt(passphrase.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT)


def encrypt_file(source, target, passphrase: str) -> None:
    salt, prefix = os.urandom(16), os.urandom(8)
    aead = AESGCM(_key(passphrase, salt))
    target.write(MAGIC + salt + prefix)
    counter, chunk = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        final = not following
        sealed = aead.encrypt(prefix + struct.pack(">I", counter), chunk, b"final" if final else b"more")
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if final:
            return
        counter, chunk = counter + 1, following


def decrypt_file(source, target, passphrase: str) -> None:
    header = source.read(len(MAGIC) + 24)
    if not header.startswith(MAGIC):
        raise BackupCorrupt("not an e-SSC backup file")
    salt, prefix = header[len(MAGIC) : len(MAGIC) + 16], header[len(MAGIC) + 16 :]
    aead = AESGCM(_key(passphrase, salt))
    counter = 0
    while True:
        size = source.read(4)
        if len(size) < 4:
            raise BackupCorrupt("the backup is truncated")
        sealed = source.read(struct.unpack(">I", size)[0])
        nonce = prefix + struct.pack(">I", counter)
        for flag in (b"more", b"final"):
            try:
                target.write(aead.decrypt(nonce, sealed, flag))
                break
            except InvalidTag:
                continue
        else:
            raise BackupCorrupt("wrong passphrase, or the backup was altered")
        if flag == b"final":
            if source.read(1):
                raise BackupCorrupt("data after the final chunk")
            return
        counter += 1
