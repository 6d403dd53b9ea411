import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { BatonClient, WriteDocumentResult } from '@baton/client';
import {
  compareHlc,
  isKnownLogEvent,
  type ConflictStrategy,
  type DocumentChanged,
  type DocumentState,
  type SessionId,
} from '@baton/protocol';
import { BatonProcess } from './harness/baton-process.js';
import { bashEnv } from './harness/browser-suite.js';
import { BrowserDevice, launchBrowser } from './harness/browser.js';
import { nodeDevice } from './harness/node-device.js';
import { startPageClient, type SdkWindow } from './harness/page-sdk.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

interface WriteArgs {
  name: string;
  sessionId: SessionId;
  doc: string;
  patch: Record<string, string>;
  strategy: ConflictStrategy | undefined;
}

/** `client.documents.write` of the page's client `name`, run in the page. */
function write(
  page: Page,
  name: string,
  sessionId: SessionId,
  doc: string,
  patch: Record<string, string>,
  strategy?: ConflictStrategy,
): Promise<WriteDocumentResult> {
  return page.evaluate<WriteDocumentResult, WriteArgs>(
    ({ name, sessionId, doc, patch, strategy }) => {
      const client = (window as unknown as SdkWindow).clients[name];
      if (!client) throw new Error(`no client ${name} in the page`);
      return client.documents.write(sessionId, doc, patch, strategy ? { strategy } : {});
    },
    { name, sessionId, doc, patch, strategy },
  );
}

function read(page: Page, name: string, sessionId: SessionId, doc: string) {
  return page.evaluate(
    ({ name, sessionId, doc }) =>
      (window as unknown as SdkWindow).clients[name]!.documents.read(sessionId, doc),
    { name, sessionId, doc },
  );
}

/** Rows of the profile's IndexedDB store of offline document writes. */
function storedWrites(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('baton');
        open.onerror = () => reject(open.error ?? new Error('no database'));
        open.onsuccess = () => {
          const count = open.result
            .transaction('documentWrites')
            .objectStore('documentWrites')
            .count();
          count.onsuccess = () => resolve(count.result);
        };
      }),
  );
}

// Two browser profiles (two devices) write one document at the same time under each of the
// four strategies, through the client SDK running in each page; a write made offline is kept in
// IndexedDB and delivered after the server is back, settled by the strategy like any other.
describe('shared documents from two browsers', { timeout: 240_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  let laptop: BrowserDevice;
  let phone: BrowserDevice;
  let a: Page;
  let b: Page;
  let cli: BatonClient;
  let sessionId: SessionId;

  before(async () => {
    baton = await BatonProcess.start(tempDir('docs'), bashEnv('docs'));
    browser = await launchBrowser();
    laptop = await BrowserDevice.create(browser);
    phone = await BrowserDevice.create(browser);
    cli = await nodeDevice(baton.url, baton.ownerToken);
    sessionId = (await cli.createSession({ kind: 'terminal', name: 'docs' })).id;
    a = await laptop.open(baton.signInUrl);
    b = await phone.open(baton.signInUrl);
    await startPageClient(a, 'sdk');
    await startPageClient(b, 'sdk');
  });
  after(async () => {
    await cli?.close();
    await laptop?.close().catch(() => {});
    await phone?.close().catch(() => {});
    await browser?.close();
    await baton?.close();
  });

  /** The `doc.changed` events of `doc` in the session's log. */
  async function changesOf(doc: string): Promise<DocumentChanged[]> {
    const { events } = await cli.fetchEvents(sessionId, 0, 5000);
    return events
      .filter(isKnownLogEvent)
      .flatMap((e) => (e.type === 'doc.changed' && e.data.name === doc ? [e.data] : []));
  }

  async function serverCopy(doc: string): Promise<DocumentState> {
    const document = await cli.documents.read(sessionId, doc);
    assert.ok(document, `the server has ${doc}`);
    return document;
  }

  /**
   * Both devices start from version 1 and write `text` at once; returns the replies in the
   * order the server took them (the first one is not stale).
   */
  async function concurrent(doc: string, strategy: ConflictStrategy) {
    await write(a, 'sdk', sessionId, doc, { text: 'base' }, strategy);
    assert.equal((await read(a, 'sdk', sessionId, doc))?.version, 1);
    assert.equal((await read(b, 'sdk', sessionId, doc))?.version, 1);
    const [fromA, fromB] = await Promise.all([
      write(a, 'sdk', sessionId, doc, { text: 'from laptop' }),
      write(b, 'sdk', sessionId, doc, { text: 'from phone' }),
    ]);
    const aFirst = fromA.conflicts.length === 0;
    assert.notEqual(aFirst, fromB.conflicts.length === 0, 'exactly one of the writes was stale');
    return aFirst
      ? { first: fromA, second: fromB, firstText: 'from laptop', secondText: 'from phone' }
      : { first: fromB, second: fromA, firstText: 'from phone', secondText: 'from laptop' };
  }

  it('timestamp: the later clock wins and the other value is kept in the log', async () => {
    const { second } = await concurrent('ts', 'timestamp');
    assert.equal(second.status, 'committed');
    const final = await serverCopy('ts');
    const overruled = (await changesOf('ts')).flatMap((c) => c.overruled ?? []);
    assert.equal(overruled.length, 1, 'one value lost the clock comparison');
    const lost = overruled[0]!;
    assert.deepEqual(
      new Set([final.fields['text'], lost.value]),
      new Set(['from laptop', 'from phone']),
      'neither value is lost',
    );
    assert.ok(lost.hlc, 'the losing value keeps its clock');
    assert.ok(compareHlc(final.clocks['text']!, lost.hlc) > 0, 'the winner has the later clock');
  });

  it('merge: the stale field is handed back with both values, and written again', async () => {
    const { second, firstText, secondText } = await concurrent('merge', 'merge');
    const conflict = second.conflicts[0];
    assert.equal(conflict?.result, 'returned');
    assert.equal(conflict.yours, secondText);
    assert.equal(conflict.theirs, firstText);
    assert.equal((await serverCopy('merge')).fields['text'], firstText);
    const page = secondText === 'from laptop' ? a : b;
    const merged = `${firstText} + ${secondText}`;
    const again = await write(page, 'sdk', sessionId, 'merge', { text: merged });
    assert.equal(again.status, 'committed');
    assert.deepEqual(again.conflicts, []);
    assert.equal((await serverCopy('merge')).fields['text'], merged);
  });

  it('manual: the conflict is stored with both values until one device resolves it', async () => {
    const { second, firstText, secondText } = await concurrent('manual', 'manual');
    assert.equal(second.conflicts[0]?.result, 'stored');
    const stored = (await serverCopy('manual')).conflicts['text'];
    assert.deepEqual(
      stored?.values.map((v) => v.value),
      [firstText, secondText],
      'the stored conflict holds both values',
    );
    // The phone reads the document (a copy from before the conflict may not resolve it: the
    // server refuses to dismiss a value the resolver has not seen) and shows both values.
    const seenByPhone = await read(b, 'sdk', sessionId, 'manual');
    assert.deepEqual(
      seenByPhone?.conflicts['text']?.values.map((v) => v.value),
      [firstText, secondText],
    );
    const resolved = await b.evaluate(
      ({ sessionId }) =>
        (window as unknown as SdkWindow).clients['sdk']!.documents.resolve(
          sessionId,
          'manual',
          'text',
          'both, by hand',
        ),
      { sessionId },
    );
    assert.deepEqual(resolved.conflicts, {});
    const seenByLaptop = await read(a, 'sdk', sessionId, 'manual');
    assert.equal(seenByLaptop?.fields['text'], 'both, by hand');
    assert.deepEqual(seenByLaptop?.conflicts, {});
  });

  it('user_choice: the stale writer gets both values, nothing commits until it picks', async () => {
    const { second, firstText, secondText } = await concurrent('choice', 'user_choice');
    assert.equal(second.status, 'conflict');
    assert.equal(second.conflicts[0]?.yours, secondText);
    assert.equal(second.conflicts[0]?.theirs, firstText);
    const before = await serverCopy('choice');
    assert.equal(before.version, 2, 'the conflicting write committed nothing');
    assert.equal(before.fields['text'], firstText);
    // The user who hit the conflict picks their own side.
    const page = secondText === 'from laptop' ? a : b;
    const picked = await write(page, 'sdk', sessionId, 'choice', { text: secondText });
    assert.equal(picked.status, 'committed');
    assert.equal((await serverCopy('choice')).fields['text'], secondText);
  });

  it('a write made offline is kept in IndexedDB and delivered after reconnect', async () => {
    await write(a, 'sdk', sessionId, 'offline', { text: 'base' }, 'timestamp');
    await read(b, 'sdk', sessionId, 'offline');
    await baton.kill();
    await waitFor('the laptop to notice the server is gone', () =>
      a.evaluate(
        () => (window as unknown as SdkWindow).clients['sdk']!.state.status !== 'connected',
      ),
    );
    // Two writes while offline: one the phone overtakes later, one nobody else touches.
    await a.evaluate(
      ({ sessionId }) => {
        const documents = (window as unknown as SdkWindow).clients['sdk']!.documents;
        void documents.write(sessionId, 'offline', { text: 'typed offline' }).catch(() => {});
        void documents
          .write(sessionId, 'offline-only', { note: 'only offline' }, { strategy: 'merge' })
          .catch(() => {});
      },
      { sessionId },
    );
    await waitFor(
      'both offline writes to be in IndexedDB',
      async () => (await storedWrites(a)) === 2,
    );
    // The window's client goes away with them: only IndexedDB still holds them.
    await a.evaluate(async () => {
      const w = window as unknown as SdkWindow;
      await w.clients['sdk']!.close();
      delete w.clients['sdk'];
    });

    await baton.restart();
    await waitFor('the phone to reconnect', () =>
      b.evaluate(
        () => (window as unknown as SdkWindow).clients['sdk']!.state.status === 'connected',
      ),
    );
    const later = await write(b, 'sdk', sessionId, 'offline', { text: 'phone, later' });
    assert.equal(later.status, 'committed');

    await startPageClient(a, 'sdk');
    await waitFor('the offline writes to be delivered', async () => (await storedWrites(a)) === 0);
    await waitFor('the offline-only note on the server', async () => {
      const note = await cli.documents.read(sessionId, 'offline-only');
      return note?.fields['note'] === 'only offline';
    });
    // The offline write is older than the phone's (its clock is from when it was typed): it
    // loses the timestamp conflict, and the log keeps its value.
    await waitFor('the offline write to reach the log', async () =>
      (await changesOf('offline')).some((c) => c.version === 3),
    );
    assert.equal((await serverCopy('offline')).fields['text'], 'phone, later');
    const overruled = (await changesOf('offline')).flatMap((c) => c.overruled ?? []);
    assert.deepEqual(
      overruled.map((o) => o.value),
      ['typed offline'],
      'the offline value is kept in the log',
    );
  });
});
