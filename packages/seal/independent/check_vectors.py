#!/usr/bin/env python3
"""Recomputes baton's sealed-envelope test vectors from docs/protocol.md alone.

Covers the envelope, the wrapped session key, the pairing introduction, the safety number and
the device roster.

usage: check_vectors.py VECTORS.json

From the seeds, the session key and the fixed nonces in the vectors, it rebuilds every public
key, the AAD, the signature input, the ciphertext, the Ed25519 signature (deterministic), the
X25519 shared secret, the key-wrap info, the key-encryption key, the wrapped key and its
signature, with python3-cryptography and the layout in the document, and compares each with the
published value. Prints "ok" or the first difference (exit 1). Shares no code with baton.
"""
import base64
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RAW = dict(encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)
KINDS = {"event": 1, "input": 2, "snapshot": 3}


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def s(text):
    raw = text.encode("utf-8")
    return struct.pack(">H", len(raw)) + raw


def same(name, got, want):
    if got != want:
        print(f"{name} differs:\n  computed  {got}\n  published {want}")
        sys.exit(1)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        v = json.load(f)
    ids = {}
    for who in ("host", "phone"):
        k = v["keys"][who]
        sign = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(k["signingSeedHex"]))
        agree = X25519PrivateKey.from_private_bytes(bytes.fromhex(k["agreementSeedHex"]))
        same(f"{who}.signingKey", b64(sign.public_key().public_bytes(**RAW)), k["signingKey"])
        same(f"{who}.agreementKey", b64(agree.public_key().public_bytes(**RAW)), k["agreementKey"])
        ids[who] = (sign, agree, agree.public_key().public_bytes(**RAW))

    key = bytes.fromhex(v["sessionKey"]["rawHex"])
    e = v["envelope"]
    env = e["sealed"]
    aad = (
        s("baton-seal/1 envelope-aad")
        + struct.pack(">BB", 1, KINDS[env["kind"]])
        + s(env["session"])
        + s(env["id"])
        + s(env["author"])
        + struct.pack(">IQ", env["keyEpoch"], env["counter"])
    )
    same("envelope.aadHex", aad.hex(), e["aadHex"])
    nonce = bytes.fromhex(e["nonceHex"])
    same("envelope.sealed.nonce", b64(nonce), env["nonce"])
    ciphertext = AESGCM(key).encrypt(nonce, e["plaintext"].encode("utf-8"), aad)
    same("envelope.sealed.ciphertext", b64(ciphertext), env["ciphertext"])
    sig_input = s("baton-seal/1 envelope-sig") + aad + nonce + ciphertext
    same("envelope.signatureInputHex", sig_input.hex(), e["signatureInputHex"])
    same("envelope.sealed.signature", b64(ids["host"][0].sign(sig_input)), env["signature"])

    w = v["wrappedKey"]
    wrapped = w["wrapped"]
    eph = X25519PrivateKey.from_private_bytes(bytes.fromhex(w["ephemeralAgreementSeedHex"]))
    eph_pub = eph.public_key().public_bytes(**RAW)
    same("wrappedKey.wrapped.ephemeralKey", b64(eph_pub), wrapped["ephemeralKey"])
    recipient_pub = ids["phone"][2]
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient_pub))
    same("wrappedKey.sharedSecretHex", shared.hex(), w["sharedSecretHex"])
    # The recipient derives the same secret from its side.
    same("recipient side", ids["phone"][1].exchange(eph.public_key()).hex(), w["sharedSecretHex"])
    info = (
        s("baton-seal/1 key-wrap")
        + s(wrapped["session"])
        + struct.pack(">I", wrapped["keyEpoch"])
        + s(wrapped["wrapper"])
        + s(wrapped["recipient"])
        + eph_pub
        + recipient_pub
    )
    same("wrappedKey.infoHex", info.hex(), w["infoHex"])
    kek = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
    same("wrappedKey.keyEncryptionKeyHex", kek.hex(), w["keyEncryptionKeyHex"])
    wnonce = bytes.fromhex(w["nonceHex"])
    wct = AESGCM(kek).encrypt(wnonce, key, info)
    same("wrappedKey.wrapped.ciphertext", b64(wct), wrapped["ciphertext"])
    wsig = ids["host"][0].sign(s("baton-seal/1 key-wrap-sig") + info + wnonce + wct)
    same("wrappedKey.wrapped.signature", b64(wsig), wrapped["signature"])

    p = v["pairing"]
    intro = p["introduction"]
    body = (
        s("baton-seal/1 introduction")
        + s(intro["host"])
        + s(intro["deviceId"])
        + base64.urlsafe_b64decode(intro["signingKey"] + "=")
        + base64.urlsafe_b64decode(intro["agreementKey"] + "=")
    )
    secret = base64.urlsafe_b64decode(p["pairingSecret"] + "=")
    mac_key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=s("baton-seal/1 pairing-mac")
    ).derive(secret)
    h = hmac.HMAC(mac_key, hashes.SHA256())
    h.update(body)
    mac = h.finalize()
    same("pairing.introduction.mac", b64(mac), intro["mac"])
    same("pairing.introduction.signature", b64(ids["phone"][0].sign(body + mac)), intro["signature"])
    digest = hashes.Hash(hashes.SHA256())
    digest.update(
        s("baton-seal/1 safety-number")
        + ids["host"][0].public_key().public_bytes(**RAW)
        + ids["phone"][0].public_key().public_bytes(**RAW)
    )
    number = (int.from_bytes(digest.finalize()[:8], "big") >> 4) % 10**12
    digits = f"{number:012d}"
    same("pairing.safetyNumber", f"{digits[:4]} {digits[4:8]} {digits[8:]}", p["safetyNumber"])

    r = v["roster"]
    raw = s("baton-seal/1 roster") + s(r["host"]) + struct.pack(">QI", r["version"], len(r["devices"]))
    for d in r["devices"]:
        raw += s(d["deviceId"]) + base64.urlsafe_b64decode(d["signingKey"] + "=")
        raw += base64.urlsafe_b64decode(d["agreementKey"] + "=")
    raw += struct.pack(">I", len(r["revoked"]))
    for rv in r["revoked"]:
        raw += s(rv["deviceId"]) + struct.pack(">I", len(rv["cutoffs"]))
        for c in rv["cutoffs"]:
            raw += s(c["session"]) + struct.pack(">Q", c["counter"])
    same("roster.signature", b64(ids["host"][0].sign(raw)), r["signature"])
    print("ok")


main()
