import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CounterGuard,
  DeviceRegistry,
  KeyRing,
  generateDeviceIdentity,
  openEnvelope,
  rotateSessionKey,
  sealEnvelope,
  wrapSessionKey,
  type DevicePublicKeys,
  type SealedEnvelope,
  type WrappedSessionKey,
} from '@baton/seal';
import type * as Seal from '@baton/seal';
import { build } from 'esbuild';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from './harness/browser.js';
import { REPO_ROOT } from './harness/paths.js';

/**
 * @baton/seal in Debian's Chromium, unchanged: the page runs the same package (bundled) on the
 * browser's own WebCrypto, Ed25519 and X25519 included, and interoperates with Node. The host
 * (Node) wraps a session key to a browser device and seals an event; the browser unwraps,
 * opens, and seals an input that Node opens. WebCrypto needs a secure context: the page is
 * served from 127.0.0.1.
 */

const S1 = 's_aaaaaaaaaaaaaaaaaaaa';
let browser: Browser;
let server: Server;
let page: Page;

before(async () => {
  const bundle = await build({
    entryPoints: [join(REPO_ROOT, 'packages', 'seal', 'dist', 'index.js')],
    bundle: true,
    format: 'iife',
    globalName: 'BatonSeal',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  server = createServer((request, response) => {
    if (request.url === '/seal.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><script src="/seal.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => 'BatonSeal' in window);
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test("Chromium's WebCrypto has Ed25519 and X25519", async () => {
  const result = await page.evaluate(async () => {
    const subtle = crypto.subtle;
    const ed = (await subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const message = new TextEncoder().encode('baton');
    const signature = await subtle.sign({ name: 'Ed25519' }, ed.privateKey, message);
    const a = (await subtle.generateKey({ name: 'X25519' }, false, [
      'deriveBits',
    ])) as CryptoKeyPair;
    const b = (await subtle.generateKey({ name: 'X25519' }, false, [
      'deriveBits',
    ])) as CryptoKeyPair;
    const ab = new Uint8Array(
      await subtle.deriveBits({ name: 'X25519', public: b.publicKey }, a.privateKey, 256),
    );
    const ba = new Uint8Array(
      await subtle.deriveBits({ name: 'X25519', public: a.publicKey }, b.privateKey, 256),
    );
    return {
      signatureBytes: signature.byteLength,
      verifies: await subtle.verify({ name: 'Ed25519' }, ed.publicKey, signature, message),
      agree: ab.length === 32 && ab.every((x, i) => x === ba[i]),
    };
  });
  assert.deepEqual(result, { signatureBytes: 64, verifies: true, agree: true });
});

test('a browser device unwraps a key from a Node host, opens its event, and seals an input Node opens', async () => {
  const host = await generateDeviceIdentity('d_host', { extractable: true });
  const ring = new KeyRing();
  const key = await rotateSessionKey(ring, S1);

  // The browser device makes its identity (non-extractable) and hands over its public keys.
  const browserKeys = await page.evaluate(async () => {
    const seal = (window as unknown as { BatonSeal: typeof Seal }).BatonSeal;
    const me = await seal.generateDeviceIdentity('d_browser');
    (window as unknown as { me: unknown }).me = me;
    return { keys: me.publicKeys, extractable: me.signing.privateKey.extractable };
  });
  assert.equal(browserKeys.extractable, false);

  const wrapped = await wrapSessionKey(host, key, browserKeys.keys);
  const event = await sealEnvelope({
    identity: host,
    sessionKey: key,
    kind: 'event',
    id: 'ev-1',
    counter: 1,
    plaintext: new TextEncoder().encode('MARKER from the host'),
  });

  const fromBrowser = await page.evaluate(
    async ({ hostKeys, wrapped, event }) => {
      const w = window as unknown as {
        BatonSeal: typeof Seal;
        me: Seal.DeviceIdentity;
      };
      const seal = w.BatonSeal;
      const registry = new seal.DeviceRegistry();
      registry.add(hostKeys);
      registry.add(w.me.publicKeys);
      const ring = new seal.KeyRing();
      const key = await seal.unwrapSessionKey(w.me, wrapped, {
        registry,
        expectedWrapper: 'd_host',
      });
      ring.add(key);
      const opened = await seal.openEnvelope(
        event,
        { session: 's_aaaaaaaaaaaaaaaaaaaa', kind: 'event', id: 'ev-1' },
        { registry, keyRing: ring, counters: new seal.CounterGuard() },
      );
      const input = await seal.sealEnvelope({
        identity: w.me,
        sessionKey: key,
        kind: 'input',
        id: 'in-1',
        counter: 1,
        plaintext: new TextEncoder().encode('MARKER from the browser'),
      });
      return {
        opened: new TextDecoder().decode(opened.plaintext),
        keyExtractable: key.key.extractable,
        input,
      };
    },
    {
      hostKeys: host.publicKeys as DevicePublicKeys,
      wrapped: wrapped as WrappedSessionKey,
      event: event as SealedEnvelope,
    },
  );
  assert.equal(fromBrowser.opened, 'MARKER from the host');
  assert.equal(fromBrowser.keyExtractable, false);

  const registry = new DeviceRegistry();
  registry.add(host.publicKeys);
  registry.add(browserKeys.keys);
  const opened = await openEnvelope(
    fromBrowser.input,
    { session: S1, kind: 'input', id: 'in-1', author: 'd_browser' },
    { registry, keyRing: ring, counters: new CounterGuard() },
  );
  assert.equal(new TextDecoder().decode(opened.plaintext), 'MARKER from the browser');
});
