import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { InputPayload, SessionInfo } from '@baton/protocol';
import { hashToken, newDeviceToken } from '../auth/tokens.js';
import { payloadDigest } from '../hub/payload-digest.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { startTestServer, tempDataDir } from '../testing/test-server.js';
import { MIGRATIONS } from './migrations.js';

/**
 * The schema of the last release (what main's baton writes today). Migrations added after it
 * upgrade this database; the test holds whatever the latest schema is.
 */
const PREVIOUS_RELEASE_SCHEMA = 3;

const TERMINAL = 's_terminalaaaaaaaaaaaa';
const AGENT = 's_agentaaaaaaaaaaaaaaa';

/**
 * A database as the previous release wrote it: its migrations only, and rows in its columns,
 * with a registered device, a terminal session with a stored input and output, and an agent
 * conversation.
 */
function writePreviousReleaseDatabase(file: string, deviceToken: string): void {
  const db = new Database(file);
  db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  for (const step of MIGRATIONS.slice(0, PREVIOUS_RELEASE_SCHEMA))
    for (const sql of step) db.exec(sql);
  db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(
    String(PREVIOUS_RELEASE_SCHEMA),
  );
  db.prepare(
    'INSERT INTO devices (id, name, token_hash, created_at, last_seen_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)',
  ).run('d_fixturephone', 'a phone', hashToken(deviceToken), 1_000, 2_000);
  const session = db.prepare(
    `INSERT INTO sessions (id, name, kind, status, reason, exit_code, config, created_at, last_activity_at, head_seq, first_seq, epoch)
     VALUES (?, ?, ?, 'exited', 'stopped', NULL, ?, 1000, 5000, ?, 1, ?)`,
  );
  const event = db.prepare(
    'INSERT INTO events (session_id, seq, ts, type, data) VALUES (?, ?, ?, ?, ?)',
  );
  const typed: InputPayload = { kind: 'terminal', data: 'echo before\r' };
  const terminalConfig = { shell: '/bin/sh' };
  session.run(
    TERMINAL,
    'old shell',
    'terminal',
    JSON.stringify(terminalConfig),
    6,
    'e_fixtureterminal',
  );
  const terminalEvents: [string, unknown][] = [
    ['session.created', { name: 'old shell', kind: 'terminal', config: terminalConfig }],
    ['session.status', { status: 'running' }],
    ['input', { inputId: 'typed-1', deviceId: 'd_fixturephone', payload: typed }],
    ['input.delivered', { inputId: 'typed-1', deviceId: 'd_fixturephone' }],
    ['terminal.output', { data: 'before\r\n$ ' }],
    ['session.status', { status: 'exited', reason: 'stopped' }],
  ];
  terminalEvents.forEach(([type, data], i) =>
    event.run(TERMINAL, i + 1, 1_000 + i, type, JSON.stringify(data)),
  );
  db.prepare(
    'INSERT INTO inputs (session_id, device_id, input_id, seq, payload_digest) VALUES (?, ?, ?, ?, ?)',
  ).run(TERMINAL, 'd_fixturephone', 'typed-1', 3, payloadDigest(typed));

  const agentConfig = { model: 'a-model' };
  session.run(AGENT, 'old chat', 'claude', JSON.stringify(agentConfig), 4, 'e_fixtureagent');
  const agentEvents: [string, unknown][] = [
    ['session.created', { name: 'old chat', kind: 'claude', config: agentConfig }],
    [
      'input',
      { inputId: 'ask-1', deviceId: 'd_fixturephone', payload: { kind: 'message', text: 'hi' } },
    ],
    ['agent.text', { messageId: 'm1', text: 'hello from the previous release' }],
    ['session.status', { status: 'exited', reason: 'stopped' }],
  ];
  agentEvents.forEach(([type, data], i) =>
    event.run(AGENT, i + 1, 2_000 + i, type, JSON.stringify(data)),
  );
  db.close();
}

test('a database written by the previous release is served whole after the upgrade', async () => {
  const dir = tempDataDir('baton-upgrade-');
  const deviceToken = newDeviceToken();
  writePreviousReleaseDatabase(join(dir.dir, 'baton.db'), deviceToken);
  const server = await startTestServer({ dataDir: dir.dir });
  try {
    const api = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(server.url + path, {
        ...init,
        headers: {
          authorization: `Bearer ${deviceToken}`,
          'content-type': 'application/json',
        },
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    // The device registered before the upgrade still signs in, over HTTP and WebSocket.
    const { status, body } = await api('/api/sessions');
    assert.equal(status, 200);
    const sessions = (body as { sessions: SessionInfo[] }).sessions;
    assert.deepEqual(sessions.map((s) => [s.id, s.name, s.kind, s.status]).sort(), [
      [AGENT, 'old chat', 'claude', 'exited'],
      [TERMINAL, 'old shell', 'terminal', 'exited'],
    ]);

    const fetched = await api(`/api/sessions/${TERMINAL}/events?after=0`);
    assert.equal(fetched.status, 200, JSON.stringify(fetched.body));
    const events = fetched.body as {
      events: { seq: number; type: string; data: unknown }[];
    };
    assert.deepEqual(
      events.events.map((e) => e.type),
      [
        'session.created',
        'session.status',
        'input',
        'input.delivered',
        'terminal.output',
        'session.status',
      ],
    );
    assert.deepEqual(events.events[4]!.data, { data: 'before\r\n$ ' });

    const client = await ProtocolClient.connect(server.wsUrl, deviceToken);
    try {
      const sub = await client.subscribe(AGENT, 0);
      assert.equal(sub.headSeq, 4);
      // This directory has the database alone (no log-heads.json from a previous run), so the
      // restore guard gives the log a new epoch; its events are the same.
      assert.match(sub.epoch, /^e_/);
      await client.waitForSeq(AGENT, 4);
      const text = client.logs.get(AGENT)!.find((e) => e.type === 'agent.text');
      assert.deepEqual(text?.data, { messageId: 'm1', text: 'hello from the previous release' });
    } finally {
      await client.close();
    }

    // An input id stored before the upgrade is still known: its retry is a duplicate.
    const retry = await api(`/api/sessions/${TERMINAL}/inputs`, {
      method: 'POST',
      body: JSON.stringify({
        inputId: 'typed-1',
        payload: { kind: 'terminal', data: 'echo before\r' },
      }),
    });
    assert.deepEqual(retry.body, { seq: 3, duplicate: true });
  } finally {
    await server.close();
  }
  try {
    const db = new Database(join(dir.dir, 'baton.db'), { readonly: true });
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as {
      value: string;
    };
    db.close();
    assert.equal(version.value, String(MIGRATIONS.length));
    // A backup exactly when there was a migration to run.
    const backups = existsSync(join(dir.dir, 'backups'))
      ? readdirSync(join(dir.dir, 'backups'))
      : [];
    if (MIGRATIONS.length > PREVIOUS_RELEASE_SCHEMA)
      assert.match(
        backups.join(' '),
        new RegExp(`^baton-v${PREVIOUS_RELEASE_SCHEMA}-\\d{8}T\\d{6}\\.\\d{3}Z\\.db$`),
      );
    else assert.deepEqual(backups, [], 'nothing to migrate, nothing backed up');
  } finally {
    dir.remove();
  }
});

test('a backup of the old database is taken before a migration, and said in the log', async () => {
  const dir = tempDataDir('baton-backup-');
  try {
    const file = join(dir.dir, 'baton.db');
    // Schema 2, one before the last release, so that a migration runs whatever the latest is.
    const old = new Database(file);
    old.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const step of MIGRATIONS.slice(0, 2)) for (const sql of step) old.exec(sql);
    old.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', '2')").run();
    old.prepare("INSERT INTO inputs (session_id, input_id, seq) VALUES ('s1', 'kept-1', 7)").run();
    old.close();

    const lines: string[] = [];
    const { createLogger } = await import('../logger.js');
    const { SqliteStore } = await import('./sqlite-store.js');
    const store = new SqliteStore(file, { log: createLogger('info', {}, (l) => lines.push(l)) });
    await store.close();

    const backups = readdirSync(join(dir.dir, 'backups'));
    assert.equal(backups.length, 1);
    assert.match(backups[0]!, /^baton-v2-\d{8}T\d{6}\.\d{3}Z\.db$/);
    const backup = join(dir.dir, 'backups', backups[0]!);
    assert.match(
      lines.join('\n'),
      new RegExp(`backed up the database.*${backups[0]!.replace(/\./g, '\\.')}`),
    );
    // Read with the sqlite3 tool, not baton's driver: the copy is a database as it was.
    const sql = (q: string) => execFileSync('sqlite3', [backup, q], { encoding: 'utf8' }).trim();
    assert.equal(sql("SELECT value FROM meta WHERE key = 'schema_version'"), '2');
    assert.equal(sql('SELECT input_id || ":" || seq FROM inputs'), 'kept-1:7');
    assert.equal(sql('PRAGMA integrity_check'), 'ok');
  } finally {
    dir.remove();
  }
});

test('a backup that cannot be written stops the upgrade and leaves the database as it was', async () => {
  const dir = tempDataDir('baton-backup-fail-');
  try {
    const file = join(dir.dir, 'baton.db');
    const old = new Database(file);
    old.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const step of MIGRATIONS.slice(0, 2)) for (const sql of step) old.exec(sql);
    old.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', '2')").run();
    old.close();
    // A file where the backups directory should be: the copy cannot be made.
    writeFileSync(join(dir.dir, 'backups'), 'in the way');
    const { SqliteStore } = await import('./sqlite-store.js');
    assert.throws(() => new SqliteStore(file), /could not back up the database .* from schema 2/);
    const db = new Database(file, { readonly: true });
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as {
      value: string;
    };
    db.close();
    assert.equal(row.value, '2');
  } finally {
    dir.remove();
  }
});
