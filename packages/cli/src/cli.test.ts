import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { refusedCommits, TINY_PNG } from '@baton/server/testing';
import {
  MAIN,
  runBaton,
  startServe,
  type Run,
  type ServeProcess,
} from './run-baton.test-helper.js';

describe('the baton command against a real server', () => {
  let home: string;
  let serve: ServeProcess;
  let url = '';
  let ownerToken = '';

  const baton = (args: string[], timeoutMs = 20_000): Promise<Run> =>
    runBaton(args, { BATON_HOME: home }, timeoutMs);

  /** `baton tail` until `text` shows (then Ctrl-C), or for 10 s at most: what it printed. */
  const tailUntil = (id: string, text: string): Promise<string> =>
    new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [MAIN, 'tail', id], {
        env: { ...process.env, BATON_HOME: home },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes(text)) child.kill('SIGINT');
      });
      child.on('exit', () => resolve(out));
      setTimeout(() => child.kill('SIGKILL'), 10_000);
    });

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'baton-cli-'));
    serve = await startServe(join(home, 'data'), { BATON_HOME: home });
    ({ url, ownerToken } = serve);
  });

  after(async () => {
    await serve.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('serve prints the URL with the owner token and answers health', async () => {
    const res = await fetch(url + '/api/health');
    assert.equal(res.status, 200);
  });

  test('malformed requests from any web page get 400 and the serve process stays up', async () => {
    const { port } = new URL(url);
    for (const path of ['/%zz', '/%ff', '//', '/..%2f..', '/api/%zz']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.setTimeout(5_000, () => req.destroy(new Error(`no answer to GET ${path}`)));
        req.end();
      });
      assert.equal(status, 400, path);
    }
    assert.equal(serve.child.exitCode, null, 'baton serve is still running');
    assert.equal((await fetch(url + '/api/health')).status, 200);
  });

  test('send sends an input the store refused again with the same id, and it is stored once', async () => {
    const created = await baton(['new', 'terminal', '--name', 'refused', '--shell', '/bin/sh']);
    assert.equal(created.code, 0, created.stderr);
    const faults = refusedCommits(join(home, 'data'));
    try {
      faults.refuse(true);
      const child = spawn(process.execPath, [MAIN, 'send', 'refused', 'echo stored-once'], {
        env: { ...process.env, BATON_HOME: home },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      // The store writes again once the command says it will send the input again.
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/sending it again/.test(err)) faults.refuse(false);
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, err);
      assert.match(err, /could not be stored .*; sending it again in \d+ ms/);
      assert.match(out, /sent as #\d+/);
    } finally {
      faults.refuse(false);
      faults.close();
    }
  });

  test('new, send, ls, tail, rename, stop, restart, rm: the whole lifecycle from the command line', async () => {
    const created = await baton(['new', 'terminal', '--name', 'build', '--shell', '/bin/sh']);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^s_[a-z2-7]{20}$/);

    const sent = await baton(['send', 'build', 'echo cli-$((40+2))']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /sent as #\d+/);

    const listed = await baton(['ls']);
    assert.match(listed.stdout, /build\s+terminal\s+running/);
    const json = JSON.parse((await baton(['ls', '--json'])).stdout) as { id: string }[];
    assert.ok(json.some((s) => s.id === id));

    // tail prints the stored output (then follows; stopped here by a timeout kill).
    const tailed = await tailUntil(id, 'cli-42');
    assert.match(tailed, /cli-42/);

    assert.equal((await baton(['rename', id.slice(0, 8), 'renamed'])).code, 0);
    const stopped = await baton(['stop', 'renamed']);
    assert.match(stopped.stdout, /exited/);
    const refused = await baton(['send', 'renamed', 'echo no']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /restart it to send input/);
    const restarted = await baton(['restart', 'renamed']);
    assert.match(restarted.stdout, /running/);
    assert.equal((await baton(['rm', 'renamed'])).code, 0);
    assert.doesNotMatch((await baton(['ls'])).stdout, /renamed/);
  });

  test('new passes --env, repeated --args, --system-prompt and --binary into the session config', async () => {
    const created = await baton([
      'new',
      'terminal',
      '--name',
      'env-args',
      '--shell',
      '/bin/sh',
      '--env',
      'BATON_MARK=from-env',
      '--env',
      'BATON_OTHER=x y',
      '--args=-c',
      '--args',
      'echo "mark:$BATON_MARK:$BATON_OTHER"; exec sleep 60',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    const tailed = await tailUntil(id, 'mark:from-env:x y');
    assert.match(tailed, /mark:from-env:x y/);
    assert.equal((await baton(['rm', id])).code, 0);

    // An agent whose binary does not exist is refused, naming the binary it was given.
    const missing = await baton(['new', 'claude', '--binary', '/nonexistent/claude-cli']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /\/nonexistent\/claude-cli was not found/);
    // One that exists (and is no agent), with credentials from --env: the session is made with
    // every flag in its config.
    const made1 = await baton([
      'new',
      'claude',
      '--name',
      'with-prompt',
      '--system-prompt',
      'Answer in French.',
      '--binary',
      '/bin/true',
      '--env',
      'ANTHROPIC_API_KEY=not-used',
    ]);
    assert.doesNotMatch(made1.stderr, /credentials|not found/, made1.stderr);
    const sessions = JSON.parse((await baton(['ls', '--json'])).stdout) as {
      name: string;
      config: Record<string, unknown>;
    }[];
    const made = sessions.find((s) => s.name === 'with-prompt');
    assert.equal(made?.config['systemPrompt'], 'Answer in French.');
    assert.equal(made?.config['binary'], '/bin/true');

    // What only the server knows is checked there, before anything is created: the modes the
    // agent takes, and whether the conversation to adopt exists.
    const agent = [
      '--binary',
      '/bin/true',
      '--env',
      'OPENAI_API_KEY=x',
      '--env',
      'ANTHROPIC_API_KEY=x',
    ];
    const badMode = await baton(['new', 'codex', ...agent, '--permission-mode', 'sometimes']);
    assert.equal(badMode.code, 1);
    assert.match(
      badMode.stderr,
      /'sometimes' is not a Codex approval policy; use one of untrusted/,
    );
    const noThread = await baton(['new', 'claude', '--resume', 'no-such-conversation', ...agent]);
    assert.equal(noThread.code, 1);
    assert.match(noThread.stderr, /no Claude Code conversation no-such-conversation in /);
    const left = JSON.parse((await baton(['ls', '--json'])).stdout) as unknown[];
    assert.equal(left.length, sessions.length);
  });

  test('send --image and --file upload the files and name them in the message', async () => {
    const files = mkdtempSync(join(tmpdir(), 'baton-cli-files-'));
    const png = join(files, 'dot.png');
    const notes = join(files, 'notes.md');
    writeFileSync(png, TINY_PNG);
    writeFileSync(notes, '# notes\n');
    // An agent session whose binary exists: its messages are stored whether or not it answers.
    const made = await baton([
      'new',
      'claude',
      '--name',
      'pictures',
      '--binary',
      '/bin/true',
      '--env',
      'ANTHROPIC_API_KEY=x',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const id = made.stdout.trim();
    const sent = await baton(['send', id, '--image', png, '--file', notes, 'look at these']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /sent as #\d+/);
    const tailed = await tailUntil(id, '[file: notes.md');
    assert.match(
      tailed,
      /look at these \[image: dot\.png, 70 bytes\] \[file: notes\.md, 8 bytes\]/,
    );

    const notImage = await baton(['send', id, '--image', notes, 'a picture']);
    assert.equal(notImage.code, 2);
    assert.match(
      notImage.stderr,
      /notes\.md is not an image \(baton read it as text\/plain\); send it with --file/,
    );
    const missing = await baton(['send', id, '--file', join(files, 'nope.txt'), 'hi']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.txt/);
    const endless = await baton(['send', id, '--file', '/dev/zero', 'hi']);
    assert.equal(endless.code, 2);
    assert.match(endless.stderr, /\/dev\/zero is larger than 64 MiB/);
    const noText = await baton(['send', id, '--image', png]);
    assert.equal(noText.code, 2);
    assert.match(noText.stderr, /add a message to send with the attachments/);
    const binary = join(files, 'blob.bin');
    writeFileSync(binary, Buffer.from([0, 1, 2, 0xff]));
    const refused = await baton(['send', id, '--file', binary, 'hi']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /blob\.bin was not attached: baton takes image\/png.*\(unsupported_attachment_type\)/,
    );
    rmSync(files, { recursive: true, force: true });
    assert.equal((await baton(['rm', id])).code, 0);
  });

  test('mistakes get one clear line and a distinct exit code', async () => {
    const unknown = await baton(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const helpUnknown = await baton(['help', 'frobnicate']);
    assert.equal(helpUnknown.code, 2);
    assert.match(helpUnknown.stderr, /no command 'frobnicate' to help with/);
    assert.equal((await baton(['help', '--help'])).code, 0);
    assert.equal((await baton(['help', 'send'])).code, 0);
    const empty = await baton(['']);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /unknown command ''/);
    // Flags that would do nothing are refused, before anything is created.
    const sessionIds = async () =>
      (JSON.parse((await baton(['ls', '--json'])).stdout) as { id: string }[]).map((x) => x.id);
    const sessionsBefore = await sessionIds();
    const readOnlyAlone = await baton(['new', 'terminal', '--read-only']);
    assert.equal(readOnlyAlone.code, 2);
    assert.match(readOnlyAlone.stderr, /--read-only is for watching what --attach opens/);
    const attachNoTty = await baton(['new', 'terminal', '--attach']);
    assert.equal(attachNoTty.code, 2);
    assert.match(attachNoTty.stderr, /baton new --attach needs a terminal/);
    assert.deepEqual(await sessionIds(), sessionsBefore, 'no session was made');
    const sessionOnList = await baton(['devices', '--session', 'x']);
    assert.equal(sessionOnList.code, 2);
    assert.match(sessionOnList.stderr, /--session narrows a role/);
    const noSession = await baton(['send']);
    assert.equal(noSession.code, 2);
    const missing = await baton(['stop', 'no-such-session']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no session 'no-such-session'/);
    const badKind = await baton(['new', 'spaceship']);
    assert.equal(badKind.code, 2);
    for (const bad of ['ftp://x', 'https://x/baton', 'not a url', 'https://x/?q=1']) {
      const badPublic = await baton(['serve', '--port', '0', '--public-url', bad]);
      assert.equal(badPublic.code, 2, bad);
      assert.match(badPublic.stderr, /--public-url must be an http\(s\) origin/);
    }
    const badPort = await baton(['serve', '--port', 'many']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port must be a whole number/);
    const unreachable = await baton(['ls', '--url', 'http://127.0.0.1:1', '--token', 'x']);
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /cannot reach baton/);
    const wrongToken = await baton(['ls', '--url', url, '--token', 'bd_wrong']);
    assert.equal(wrongToken.code, 3);
    assert.match(wrongToken.stderr, /unknown or revoked token/);
  });
  test('pair shows a code and its QR, waits, and says which device paired', async () => {
    const json = await baton(['pair', '--json', '--role', 'editor', '--ttl', '60']);
    assert.equal(json.code, 0, json.stderr);
    const p = JSON.parse(json.stdout) as { code: string; url: string; role: string };
    assert.match(p.code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    assert.equal(p.role, 'editor');
    assert.equal(new URLSearchParams(p.url.split('#')[1]).get('code'), p.code);

    const child = spawn(process.execPath, [MAIN, 'pair', '--ttl', '60'], {
      env: { ...process.env, BATON_HOME: home },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const code = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no code printed: ${out} ${err}`)), 15_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /code\s+([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(out);
        if (m && out.includes('Waiting for the device')) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    // The terminal QR is drawn with block characters.
    assert.match(out, /[\u2580\u2584\u2588]/);
    assert.match(out, /role\s+viewer/);
    const r = await fetch(url + '/api/pairings/redeem', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceName: 'test phone' }),
    });
    assert.equal(r.status, 201);
    assert.equal(await exited, 0, err);
    assert.match(out, /paired: test phone \(viewer\)/);
  });

  test('pair refuses bad options before asking the server', async () => {
    for (const args of [
      ['pair', '--role', 'admin'],
      ['pair', '--ttl', '301'],
      ['pair', '--ttl', '0'],
      ['pair', '--qr'],
      ['pair', 'extra'],
    ]) {
      const r = await baton(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^baton: /);
    }
    const missing = await baton(['pair', '--session', 'no-such-session']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no session 'no-such-session'/);
  });

  test('devices: list, rename, role (per session too), revoke; audit shows each change', async () => {
    const reg = await fetch(url + '/api/devices', {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'phone', role: 'viewer' }),
    });
    const phone = (await reg.json()) as { deviceId: string };
    const listed = await baton(['devices']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /ID\s+NAME\s+ROLE\s+MODES\s+STATUS\s+LAST SEEN/);
    assert.match(listed.stdout, /owner \(built-in\)\s+owner/);
    assert.match(listed.stdout, new RegExp(`${phone.deviceId}\\s+phone\\s+viewer\\s+-\\s+offline`));

    assert.equal((await baton(['devices', 'role', 'phone', 'editor'])).code, 0);
    assert.equal((await baton(['devices', 'rename', 'phone', 'kitchen', 'tablet'])).code, 0);
    const created = await baton(['new', 'terminal', '--name', 'shared', '--shell', '/bin/sh']);
    assert.equal(created.code, 0, created.stderr);
    const narrowed = await baton([
      'devices',
      'role',
      'kitchen tablet',
      'viewer',
      '--session',
      'shared',
    ]);
    assert.equal(narrowed.code, 0, narrowed.stderr);
    const json = JSON.parse((await baton(['devices', '--json'])).stdout) as {
      id: string;
      name: string;
      role: string;
      sessionRoles: Record<string, string>;
    }[];
    const tablet = json.find((d) => d.id === phone.deviceId)!;
    assert.deepEqual(
      [tablet.name, tablet.role, Object.values(tablet.sessionRoles)],
      ['kitchen tablet', 'editor', ['viewer']],
    );
    const reset = await baton([
      'devices',
      'role',
      phone.deviceId,
      'default',
      '--session',
      'shared',
    ]);
    assert.equal(reset.code, 0, reset.stderr);

    const badRole = await baton(['devices', 'role', 'kitchen tablet', 'admin']);
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /owner\|editor\|viewer/);
    assert.equal((await baton(['devices', 'frobnicate'])).code, 2);
    assert.equal((await baton(['audit', '--since', 'x'])).code, 2);
    const builtIn = await baton(['devices', 'revoke', 'owner']);
    assert.equal(builtIn.code, 1);
    assert.match(builtIn.stderr, /built-in owner/);

    const revoked = await baton(['devices', 'revoke', 'kitchen tablet']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match((await baton(['devices'])).stdout, /kitchen tablet\s+editor\s+-\s+revoked/);

    // The audit log has each change, with who did it (the CLI's own device, mode http).
    // Rows are written within a tenth of a second: wait for the last one.
    let all = '';
    for (let i = 0; i < 50 && !all.includes('device.revoke'); i++) {
      all = (await baton(['audit'])).stdout;
      if (!all.includes('device.revoke')) await new Promise((r) => setTimeout(r, 100));
    }
    for (const action of [
      'device.register',
      'device.role',
      'device.rename',
      'device.session-role',
      'device.revoke',
      'session.create',
    ])
      assert.match(all, new RegExp(`\\(http, owner\\) ${action.replace('.', '\\.')}`), action);
    const shared = (await baton(['audit', '--session', 'shared', '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    assert.deepEqual(
      shared.map((e) => e.action),
      ['session.create', 'device.session-role', 'device.session-role'],
    );
  });
});
