import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenHashCache } from './token-hash-cache.js';
import { hashToken } from './tokens.js';

test('each token is hashed once while it is remembered, and the cache stays bounded', () => {
  let hashed = 0;
  const cache = new TokenHashCache(3, (token) => {
    hashed++;
    return hashToken(token);
  });
  assert.equal(cache.of('bd_a'), hashToken('bd_a'));
  assert.equal(cache.of('bd_a'), hashToken('bd_a'));
  assert.equal(hashed, 1, 'the second hello of a token costs no hash');
  for (const t of ['bd_b', 'bd_c', 'bd_d', 'bd_e']) cache.of(t);
  assert.equal(hashed, 5);
  assert.equal(cache.of('bd_a'), hashToken('bd_a'), 'after starting over, still the right hash');
  assert.equal(hashed, 6, 'the bound made it forget');
});
