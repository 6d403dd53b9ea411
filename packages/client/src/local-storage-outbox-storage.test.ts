import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalStorageOutboxStorage, type WebStorageLike } from './local-storage-outbox-storage.js';

/** A Map-backed Web Storage, standing in for a browser's `localStorage`. */
class MapStorage implements WebStorageLike {
  readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

const record = (inputId: string) => ({
  inputId,
  sessionId: 's_aaaaaaaaaaaaaaaaaaaa',
  payload: { kind: 'message' as const, text: 'hi' },
  createdAt: 1,
  order: 1,
});

test('keeps one key per input under a per-device prefix', () => {
  const web = new MapStorage();
  const laptop = new LocalStorageOutboxStorage('dev-1', web);
  const other = new LocalStorageOutboxStorage('dev-2', web);
  laptop.put(record('a'));
  laptop.put(record('b'));
  other.put(record('c'));
  assert.deepEqual(
    laptop
      .load()
      .map((r) => r.inputId)
      .sort(),
    ['a', 'b'],
  );
  laptop.delete('a');
  assert.deepEqual(
    laptop.load().map((r) => r.inputId),
    ['b'],
  );
  assert.ok(web.map.has('baton.outbox.dev-1.b'));
});

test('drops corrupt entries instead of failing to load', () => {
  const web = new MapStorage();
  web.setItem('baton.outbox.dev-1.x', '{not json');
  assert.deepEqual(new LocalStorageOutboxStorage('dev-1', web).load(), []);
  assert.equal(web.length, 0);
});

test('says what to do without localStorage', () => {
  assert.throws(() => new LocalStorageOutboxStorage('dev-1'), /MemoryOutboxStorage/);
});
