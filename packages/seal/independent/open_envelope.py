#!/usr/bin/env python3
"""An independent reader of baton's sealed envelope, written from docs/protocol.md alone.

It shares no code with baton: the byte strings are built here from the documented layout, and
AES-256-GCM comes from python3-cryptography.

usage: open_envelope.py ENVELOPE.json SESSION_KEY_HEX OUT_DIR

Prints the opened plaintext (UTF-8) on stdout and writes into OUT_DIR:
  signature-input.bin  the bytes the Ed25519 signature covers
  signature.bin        the 64-byte signature
  ciphertext.bin       the ciphertext without its 16-byte tag (for the AES-256-CTR check)
  nonce.hex            the 12-byte nonce in hex
Exits 1 when the envelope does not open (wrong key, wrong AAD, tampered bytes).
"""
import base64
import json
import os
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KINDS = {"event": 1, "input": 2, "snapshot": 3}


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def s(text):
    raw = text.encode("utf-8")
    return struct.pack(">H", len(raw)) + raw


def main():
    envelope_path, key_hex, out_dir = sys.argv[1:4]
    with open(envelope_path, encoding="utf-8") as f:
        env = json.load(f)
    assert env["v"] == 1, "only version 1 is documented"
    aad = (
        s("baton-seal/1 envelope-aad")
        + struct.pack(">BB", env["v"], KINDS[env["kind"]])
        + s(env["session"])
        + s(env["id"])
        + s(env["author"])
        + struct.pack(">IQ", env["keyEpoch"], env["counter"])
    )
    nonce = b64url(env["nonce"])
    sealed = b64url(env["ciphertext"])
    signature_input = s("baton-seal/1 envelope-sig") + aad + nonce + sealed
    with open(os.path.join(out_dir, "signature-input.bin"), "wb") as f:
        f.write(signature_input)
    with open(os.path.join(out_dir, "signature.bin"), "wb") as f:
        f.write(b64url(env["signature"]))
    with open(os.path.join(out_dir, "ciphertext.bin"), "wb") as f:
        f.write(sealed[:-16])
    with open(os.path.join(out_dir, "nonce.hex"), "w", encoding="ascii") as f:
        f.write(nonce.hex())
    try:
        plaintext = AESGCM(bytes.fromhex(key_hex)).decrypt(nonce, sealed, aad)
    except InvalidTag:
        print("the envelope does not open: tag check failed", file=sys.stderr)
        sys.exit(1)
    sys.stdout.write(plaintext.decode("utf-8"))


main()
