import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLEAN_ENV, runBaton, startServe, type ServeProcess } from './run-baton.test-helper.js';

/** The CLI's own files under BATON_HOME, damaged, and credentials no header can carry. */
let home: string;
let serve: ServeProcess;
let url = '';
let ownerToken = '';
const env = () => ({ ...CLEAN_ENV, BATON_HOME: home, HOME: home });
const baton = (args: string[]) => runBaton(args, env());
const deviceFile = () => join(home, 'cli-device.json');

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'baton-cli-files-'));
  serve = await startServe(join(home, 'data'), env());
  ({ url, ownerToken } = serve);
});
after(async () => {
  await serve.stop();
  rmSync(home, { recursive: true, force: true });
});

const cliDevices = async () => {
  const res = await fetch(`${url}/api/devices`, {
    headers: { authorization: `Bearer ${ownerToken}` },
  });
  const { devices } = (await res.json()) as { devices: { name: string; revoked: boolean }[] };
  return devices.filter((d) => d.name.startsWith('cli on ') && !d.revoked);
};

test('a damaged credential file is written again; one that cannot be written leaves no device behind', async () => {
  writeFileSync(deviceFile(), '"not an object"');
  const listed = await baton(['ls']);
  assert.equal(listed.code, 0, listed.stderr);
  const saved = JSON.parse(readFileSync(deviceFile(), 'utf8')) as Record<string, unknown>;
  assert.ok(saved[url], 'the credential is saved again');
  assert.equal((await cliDevices()).length, 1);

  rmSync(deviceFile());
  mkdirSync(deviceFile());
  for (let i = 0; i < 2; i++) {
    const refused = await baton(['ls']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^baton: cannot save this CLI's credential in .*cli-device\.json \(EISDIR\)/,
    );
  }
  assert.equal((await cliDevices()).length, 1, 'the devices it could not remember were taken back');
  rmSync(deviceFile(), { recursive: true });
});

test('a token no header can carry is refused as such, not as an unreachable server', async () => {
  for (const token of ['a\nb', 'bo_中', 'two words']) {
    const run = await baton(['ls', '--url', url, '--token', token]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /the token in --token has characters no baton token has/);
  }
  const padded = await baton(['ls', '--url', url, '--token', ` ${ownerToken}\r\n`]);
  assert.equal(padded.code, 0, `surrounding whitespace is no part of a token: ${padded.stderr}`);
  const fromEnv = await runBaton(['ls', '--url', url], { ...env(), BATON_TOKEN: 'x\ny' });
  assert.match(fromEnv.stderr, /the token in BATON_TOKEN has characters/);
});

test('every spelling of the server address, localhost too, is one server, with one device; a bad one is refused', async () => {
  const before = (await cliDevices()).length;
  const port = new URL(url).port;
  for (const spelling of [
    url,
    `${url}/`,
    `HTTP://127.0.0.1:${port}//`,
    `http://127.0.0.1:${port}/#token=bo_from_the_printed_address`,
    // The loopback by name: the same server `baton serve` printed as 127.0.0.1.
    `http://localhost:${port}`,
    `http://LOCALHOST:${port}/`,
  ]) {
    const run = await baton(['ls', '--url', spelling]);
    assert.equal(run.code, 0, `${spelling}: ${run.stderr}`);
  }
  assert.ok((await cliDevices()).length <= before + 1, 'at most one device registered for them');
  const saved = JSON.parse(readFileSync(deviceFile(), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(saved), [url]);

  for (const bad of [
    'ftp://127.0.0.1',
    'not a url',
    `${url}/?x=1`,
    `http://u:p@127.0.0.1:${port}`,
  ]) {
    const run = await baton(['ls', '--url', bad]);
    assert.equal(run.code, 2, bad);
    assert.match(run.stderr, /--url must be the server's http\(s\) address/);
  }
  const fromEnv = await runBaton(['ls'], { ...env(), BATON_URL: 'localhost:7777' });
  assert.equal(fromEnv.code, 2);
  assert.match(fromEnv.stderr, /BATON_URL must be the server's http\(s\) address/);
});

test('a damaged record of the running server is said, with the address used instead', async () => {
  const record = join(home, 'current-server.json');
  const saved = readFileSync(record, 'utf8');
  try {
    for (const [content, problem] of [
      ['{"url": "http://127.0.0.1:', /is not JSON/],
      ['[1]', /is not a JSON object/],
      ['{"url": "ftp://host"}', /names no http\(s\) address/],
    ] as const) {
      writeFileSync(record, content);
      const run = await baton(['ls', '--json']);
      assert.match(
        run.stderr,
        new RegExp(
          `current-server\\.json ${problem.source}, so this uses http://127\\.0\\.0\\.1:7777; start 'baton serve' to write it again, or pass --url`,
        ),
      );
    }
    const flagged = await baton(['ls', '--url', url, '--json']);
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.doesNotMatch(flagged.stderr, /current-server/, 'an address given is not a fallback');
  } finally {
    writeFileSync(record, saved);
  }
  const intact = await baton(['ls', '--json']);
  assert.equal(intact.code, 0, intact.stderr);
  assert.equal(intact.stderr, '');
});
