import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sniffAttachmentType } from './sniff-type.js';
import { TINY_PNG } from '../testing/tiny-png.js';

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );

test('the type comes from the bytes: accepted images, PDF and UTF-8 text', async () => {
  assert.equal(await sniffAttachmentType(TINY_PNG), 'image/png');
  assert.equal(
    await sniffAttachmentType(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF', [0, 1, 1, 0])),
    'image/jpeg',
  );
  assert.equal(await sniffAttachmentType(bytes('GIF89a', [1, 0, 1, 0, 0, 0, 0])), 'image/gif');
  assert.equal(
    await sniffAttachmentType(bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 ', [0, 0, 0, 0, 0, 0])),
    'image/webp',
  );
  assert.equal(
    await sniffAttachmentType(bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n')),
    'application/pdf',
  );
  assert.equal(await sniffAttachmentType(Buffer.from('const x = "ü";\n')), 'text/plain');
});

test('anything else is refused: other formats, NUL bytes, text that is not UTF-8', async () => {
  const refused = [
    bytes('PK', [3, 4, 20, 0, 0, 0, 8, 0], 'archive'),
    bytes([0x7f], 'ELF', [2, 1, 1, 0, 0, 0, 0, 0]),
    bytes('plain text with a NUL', [0], 'inside'),
    bytes('caf\xe9 in latin-1'),
    bytes('<svg xmlns="http://www.w3.org/2000/svg"', [0]),
  ];
  for (const b of refused)
    assert.equal(await sniffAttachmentType(b), undefined, b.toString('latin1'));
});
