/**
 * The Node-only part of the SDK (`@baton/client/node`): what needs `node:fs`. Browser bundles
 * import `@baton/client` only, which never reaches this module.
 */
export { FileSealingStore } from './sealing/file-sealing-store.js';
