export {
  WEAK_SIGNING_KEYS,
  WEAK_AGREEMENT_KEYS,
  IDENTITY_KEY_FORGERY,
  type WeakKey,
} from './weak-keys.js';
export { opensslKeys, type OpensslKeys } from './openssl-keys.js';
export { refusedWith } from './refused-with.js';
