import { identityFromSeeds } from '../device-identity.js';
import { envelopeAad, envelopeSignatureInput } from '../envelope-format.js';
import { fromBase64url, toBase64url } from '../base64url.js';
import { wrapInfo, wrapSessionKey } from '../key-wrap.js';
import { DeviceRegistry } from '../device-registry.js';
import { signRoster } from '../device-roster.js';
import { createIntroduction, safetyNumber } from '../pairing-link.js';
import { sealEnvelope } from '../seal-envelope.js';
import { importSessionKey } from '../session-key.js';
import { type CryptoKeyPair } from '../webcrypto-types.js';

/**
 * The published test vectors (docs/protocol.md, "Test vectors"): one envelope and one wrapped
 * key made from fixed keys and nonces, with every intermediate byte string, so an independent
 * implementation can check itself step by step. Ed25519 signatures are deterministic, and the
 * nonces and the ephemeral key are fixed here, so the output never changes; a test compares it
 * with the document.
 */

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fill = (start: number, length = 32): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

export async function generateTestVectors(): Promise<Record<string, unknown>> {
  const hostSigningSeed = fill(0x00);
  const hostAgreementSeed = fill(0x20);
  const phoneSigningSeed = fill(0x40);
  const phoneAgreementSeed = fill(0x60);
  const host = await identityFromSeeds('d_host', hostSigningSeed, hostAgreementSeed);
  const phone = await identityFromSeeds('d_phone', phoneSigningSeed, phoneAgreementSeed);
  const session = 's_aaaaaaaaaaaaaaaaaaaa';
  const rawSessionKey = fill(0x80);
  const sessionKey = await importSessionKey(session, 1, rawSessionKey, true);

  const plaintext = '{"type":"terminal.output","data":"hello\\r\\n"}';
  const envelopeNonce = fill(0xa0, 12);
  const envelope = await sealEnvelope({
    identity: host,
    sessionKey,
    kind: 'event',
    id: 'ev-1',
    counter: 1,
    plaintext: new TextEncoder().encode(plaintext),
    fixedNonceForTestVectors: envelopeNonce,
  });
  const aad = envelopeAad(envelope);

  const ephemeralSeed = fill(0xc0);
  const ephemeral = await identityFromSeeds('ephemeral', fill(0xe0), ephemeralSeed);
  const ephemeralPair: CryptoKeyPair = ephemeral.agreement;
  const wrapNonce = fill(0xb0, 12);
  const wrapped = await wrapSessionKey(host, sessionKey, phone.publicKeys, {
    fixedForTestVectors: { ephemeral: ephemeralPair, nonce: wrapNonce },
  });
  const info = wrapInfo({
    session,
    keyEpoch: 1,
    wrapper: 'd_host',
    recipient: 'd_phone',
    ephemeralKey: fromBase64url(wrapped.ephemeralKey)!,
    recipientKey: fromBase64url(phone.publicKeys.agreementKey)!,
  });
  const subtle = globalThis.crypto.subtle;
  const shared = new Uint8Array(
    await subtle.deriveBits(
      { name: 'X25519', public: phone.agreement.publicKey },
      ephemeral.agreement.privateKey,
      256,
    ),
  );
  const hkdf = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveBits']);
  const kek = new Uint8Array(
    await subtle.deriveBits(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info },
      hkdf,
      256,
    ),
  );

  const pairingSecret = toBase64url(fill(0xd0));
  const introduction = await createIntroduction(phone, { host: host.publicKeys, pairingSecret });
  const registry = new DeviceRegistry();
  registry.add(host.publicKeys);
  registry.add(phone.publicKeys);
  registry.revoke('d_phone', { cutoffs: { [session]: 5 } });
  const roster = await signRoster(host, registry, 2);

  return {
    keys: {
      host: {
        deviceId: 'd_host',
        signingSeedHex: hex(hostSigningSeed),
        agreementSeedHex: hex(hostAgreementSeed),
        ...pick(host.publicKeys),
      },
      phone: {
        deviceId: 'd_phone',
        signingSeedHex: hex(phoneSigningSeed),
        agreementSeedHex: hex(phoneAgreementSeed),
        ...pick(phone.publicKeys),
      },
    },
    sessionKey: { session, keyEpoch: 1, rawHex: hex(rawSessionKey) },
    envelope: {
      plaintext,
      nonceHex: hex(envelopeNonce),
      aadHex: hex(aad),
      signatureInputHex: hex(
        envelopeSignatureInput(
          aad,
          fromBase64url(envelope.nonce)!,
          fromBase64url(envelope.ciphertext)!,
        ),
      ),
      sealed: envelope,
    },
    wrappedKey: {
      ephemeralAgreementSeedHex: hex(ephemeralSeed),
      nonceHex: hex(wrapNonce),
      sharedSecretHex: hex(shared),
      infoHex: hex(info),
      keyEncryptionKeyHex: hex(kek),
      wrapped,
    },
    pairing: {
      pairingSecret,
      introduction,
      safetyNumber: await safetyNumber(host.publicKeys.signingKey, phone.publicKeys.signingKey),
    },
    roster,
  };
}

function pick(keys: { signingKey: string; agreementKey: string }) {
  return { signingKey: keys.signingKey, agreementKey: keys.agreementKey };
}
