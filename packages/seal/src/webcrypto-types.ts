/**
 * WebCrypto's types, taken from `globalThis.crypto.subtle` itself, so this package compiles
 * against Node's type declarations and against the DOM's alike (Node 20's declarations name
 * them only inside a namespace; the DOM declares them globally).
 */
export type Subtle = typeof globalThis.crypto.subtle;
export type CryptoKey = Awaited<ReturnType<Subtle['importKey']>>;
export interface CryptoKeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}
export type KeyUsage = Parameters<Subtle['importKey']>[4][number];
