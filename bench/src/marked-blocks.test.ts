import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepMarkedBlocks, markedBlocks, replaceMarkedBlock } from './marked-blocks.js';

const WEB =
  '<!-- web-bench:start -->\n## Web app in a browser\n\n| a | b |\n<!-- web-bench:end -->';
const OTHER = '<!-- other:start -->\nkept too, with $1 and $& in it\n<!-- other:end -->';

test('a full rewrite keeps every marked block of the old file, in order', () => {
  const previous = `# Benchmarks\n\nold figures\n\n${WEB}\n\nmore old text\n\n${OTHER}\n`;
  const next = '# Benchmarks\n\nnew figures\n';
  const out = keepMarkedBlocks(previous, next);
  assert.equal(out, `# Benchmarks\n\nnew figures\n\n${WEB}\n\n${OTHER}\n`);
  assert.ok(!out.includes('old figures'));
});

test('a block the new text also has is the old one (each tool writes only its own)', () => {
  const next = `# B\n\n<!-- web-bench:start -->\nplaceholder\n<!-- web-bench:end -->\n\ntail\n`;
  assert.equal(keepMarkedBlocks(WEB, next), `# B\n\n${WEB}\n\ntail\n`);
});

test('an old file without blocks changes nothing', () => {
  assert.equal(keepMarkedBlocks('# old\n', '# new\n'), '# new\n');
});

test('replacing a block changes only that block; a missing one is appended', () => {
  const text = `# B\n\n${WEB}\n\n${OTHER}\n`;
  const replaced = replaceMarkedBlock(text, 'web-bench', '## Web\n\nnew $& figures\n');
  assert.equal(
    replaced,
    `# B\n\n<!-- web-bench:start -->\n## Web\n\nnew $& figures\n<!-- web-bench:end -->\n\n${OTHER}\n`,
  );
  assert.equal(
    replaceMarkedBlock('# B\n', 'web-bench', 'x'),
    '# B\n\n<!-- web-bench:start -->\nx\n<!-- web-bench:end -->\n',
  );
  assert.throws(() => replaceMarkedBlock('', 'Bad Name', 'x'), /\[a-z0-9-\]\+/);
});

test('markers must be on lines of their own and match by name', () => {
  const text =
    'inline <!-- a:start --> not a block <!-- a:end -->\n<!-- b:start -->\nx\n<!-- c:end -->\n';
  assert.deepEqual([...markedBlocks(text).keys()], []);
  assert.deepEqual(
    [...markedBlocks('<!-- a:start -->\r\ny\r\n<!-- a:end -->\r\n').values()],
    ['<!-- a:start -->\ny\n<!-- a:end -->'],
  );
});
