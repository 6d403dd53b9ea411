import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLEAN_ENV, runBaton } from '../run-baton.test-helper.js';

interface Shown {
  configFile: { path: string; from: string; exists: boolean };
  settings: Record<string, { value: unknown; source: string; from: string }>;
}

describe('baton config: the effective settings and where each came from', () => {
  let home: string;
  let env: Record<string, string | undefined>;
  const file = () => join(home, 'config.json');
  const writeConfig = (config: unknown) => writeFileSync(file(), JSON.stringify(config, null, 2));

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'baton-config-'));
    env = { ...CLEAN_ENV, BATON_HOME: home, HOME: home };
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  const shown = async (args: string[], more: Record<string, string> = {}): Promise<Shown> => {
    const run = await runBaton(['config', '--json', ...args], { ...env, ...more });
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as Shown;
  };

  test('without a file: built-in defaults, and the file it would read', async () => {
    const s = await shown([]);
    assert.deepEqual(s.configFile, { path: file(), from: 'data directory', exists: false });
    assert.deepEqual(s.settings['port'], { value: 7777, source: 'default', from: 'default' });
    assert.deepEqual(s.settings['host'], {
      value: '127.0.0.1',
      source: 'default',
      from: 'default',
    });
    assert.equal(s.settings['data']!.value, home);
    assert.equal(s.settings['data']!.from, 'BATON_HOME');
  });

  test('an empty BATON_HOME counts as unset: ~/.baton, never the current directory', async () => {
    const s = await shown([], { BATON_HOME: '' });
    assert.equal(s.settings['data']!.value, join(home, '.baton'));
    assert.equal(s.settings['data']!.from, 'default');
    assert.equal(s.configFile.path, join(home, '.baton', 'config.json'));
  });

  test('default < file < environment < flag, key by key', async () => {
    mkdirSync(join(home, 'bin'), { recursive: true });
    writeConfig({
      host: '0.0.0.0',
      port: 9001,
      durability: 'full',
      allowedOrigins: ['https://a.example'],
      publicUrl: 'https://baton.example.net/',
      tls: { cert: 'certs/c.pem', key: 'certs/k.pem' },
      log: { level: 'warn', format: 'json' },
      metrics: { public: true },
      notifications: { enabled: true, subject: 'mailto:ops@example.com' },
      agents: { claude: { binary: './bin/claude', model: 'file-model' }, codex: { model: 'c1' } },
    });
    const s = await shown(['--port', '9003'], {
      BATON_PORT: '9002',
      BATON_LOG: 'debug',
      BATON_CLAUDE_MODEL: 'env-model',
    });
    const at = (key: string) => [
      s.settings[key]!.value,
      s.settings[key]!.source,
      s.settings[key]!.from,
    ];
    assert.equal(s.configFile.exists, true);
    assert.deepEqual(at('port'), [9003, 'flag', '--port']);
    assert.deepEqual(at('log.level'), ['debug', 'env', 'BATON_LOG']);
    assert.deepEqual(at('log.format'), ['json', 'file', file()]);
    assert.deepEqual(at('host'), ['0.0.0.0', 'file', file()]);
    assert.deepEqual(at('retention'), [100000, 'default', 'default']);
    assert.deepEqual(at('durability'), ['full', 'file', file()]);
    assert.deepEqual(at('allowedOrigins'), [['https://a.example'], 'file', file()]);
    assert.deepEqual(at('metrics.public'), [true, 'file', file()]);
    assert.deepEqual(at('publicUrl'), ['https://baton.example.net', 'file', file()]);
    assert.deepEqual(at('notifications.subject'), ['mailto:ops@example.com', 'file', file()]);
    assert.deepEqual(at('agents.claude.model'), ['env-model', 'env', 'BATON_CLAUDE_MODEL']);
    assert.deepEqual(at('agents.codex.model'), ['c1', 'file', file()]);
    // Paths in the file are relative to the file; a bare name stays a name looked up on PATH.
    assert.deepEqual(at('agents.claude.binary'), [join(home, 'bin', 'claude'), 'file', file()]);
    assert.deepEqual(s.settings['tls']!.value, {
      certFile: join(home, 'certs', 'c.pem'),
      keyFile: join(home, 'certs', 'k.pem'),
    });

    const text = await runBaton(['config', '--port', '9003'], { ...env, BATON_PORT: '9002' });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^config file: ${file()} \\(from data directory\\)`));
    assert.match(text.stdout, /^ {2}port +9003 +flag --port$/m);
    assert.match(text.stdout, new RegExp(`^  host +0\\.0\\.0\\.0 +file ${file()}$`, 'm'));
    assert.match(text.stdout, /^ {2}retention +100000 +default$/m);
  });

  test('allowed origins are checked and written as browsers send them', async () => {
    const s = await shown([
      '--allow-origin',
      ' https://Baton.Example.net/ ,chrome-extension://PKCIGPEALHBABPPKCEMIAPDJKBNOOHOD,*',
    ]);
    assert.deepEqual(s.settings['allowedOrigins']!.value, [
      'https://baton.example.net',
      'chrome-extension://pkcigpealhbabppkcemiapdjkbnoohod',
      '*',
    ]);
    for (const [args, more, where] of [
      [['--allow-origin', 'baton.example.net'], {}, '--allow-origin'],
      [['--allow-origin', 'https://a.example/app'], {}, '--allow-origin'],
      [['--allow-origin', 'chrome-extension://short'], {}, '--allow-origin'],
      [[], { BATON_ALLOW_ORIGIN: 'ftp://a.example' }, 'BATON_ALLOW_ORIGIN'],
    ] as const) {
      const run = await runBaton(['config', ...args], { ...env, ...more });
      assert.equal(run.code, 2, `${where} refused: ${run.stdout}`);
      assert.match(
        run.stderr,
        new RegExp(`${where} must be origins such as https://baton\\.example\\.net`),
      );
    }
    writeConfig({ allowedOrigins: ['https://ok.example', 'not an origin'] });
    const fromFile = await runBaton(['config'], env);
    assert.equal(fromFile.code, 2);
    assert.match(fromFile.stderr, /"allowedOrigins" in .*config\.json must be origins/);
    writeConfig({});
  });

  test('--config and BATON_CONFIG name the file; a named file must exist', async () => {
    const other = join(home, 'other.json');
    writeFileSync(other, JSON.stringify({ port: 8123 }));
    assert.equal((await shown(['--config', other])).settings['port']!.value, 8123);
    const viaEnv = await shown([], { BATON_CONFIG: other });
    assert.deepEqual(viaEnv.configFile, { path: other, from: 'BATON_CONFIG', exists: true });
    const missing = await runBaton(['config', '--config', join(home, 'nope.json')], env);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /cannot read the config file .*nope\.json \(from --config\): it does not exist/,
    );
    // Read whole, this one never ended.
    const endless = await runBaton(['config', '--config', '/dev/zero'], env);
    assert.equal(endless.code, 2);
    assert.match(
      endless.stderr,
      /the config file \/dev\/zero \(from --config\) is larger than 1 MiB/,
    );
  });

  test('the owner token is never printed', async () => {
    const secret = 'bo_this-must-not-be-printed';
    const json = await runBaton(['config', '--json'], { ...env, BATON_TOKEN: secret });
    const text = await runBaton(['config'], { ...env, BATON_TOKEN: secret });
    for (const run of [json, text]) {
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
    }
    assert.deepEqual((JSON.parse(json.stdout) as Shown).settings['ownerToken'], {
      value: '(redacted)',
      source: 'env',
      from: 'BATON_TOKEN',
    });
    assert.match(text.stdout, /^ {2}ownerToken +\(set, redacted\) +env BATON_TOKEN$/m);
  });

  test('the store URL is shown without its password; one that is not postgres:// is refused', async () => {
    const url = 'postgres://baton:hunter2@db.example:5432/baton?schema=team';
    const json = await runBaton(['config', '--json'], { ...env, BATON_STORE: url });
    const text = await runBaton(['config', '--store', url], env);
    for (const run of [json, text]) {
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!run.stdout.includes('hunter2') && !run.stderr.includes('hunter2'));
    }
    assert.deepEqual((JSON.parse(json.stdout) as Shown).settings['store'], {
      value: 'postgres://baton:***@db.example:5432/baton?schema=team',
      source: 'env',
      from: 'BATON_STORE',
    });
    assert.match(
      text.stdout,
      /^ {2}store +postgres:\/\/baton:\*\*\*@db\.example:5432\/baton\?schema=team +flag --store$/m,
    );
    const defaults = await shown([]);
    assert.deepEqual(defaults.settings['store'], {
      value: null,
      source: 'default',
      from: 'default (SQLite in the data directory)',
    });
    const bad = await runBaton(['config', '--store', 'mysql://u:pw@h/db'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--store must be a postgres:\/\/user@host:5432\/database URL/);
    assert.ok(!bad.stderr.includes(':pw@'), 'not even a wrong URL shows its password');
  });

  test('--cluster runs one of many nodes on a PostgreSQL store, and needs one', async () => {
    const url = 'postgres://baton@db.example:5432/baton';
    const nodes = await runBaton(['config', '--json', '--cluster', '--lease-ms', '4000'], {
      ...env,
      BATON_STORE: url,
    });
    assert.equal(nodes.code, 0, nodes.stderr);
    const settings = (JSON.parse(nodes.stdout) as Shown).settings;
    assert.deepEqual(settings['cluster'], { value: true, source: 'flag', from: '--cluster' });
    assert.deepEqual(settings['leaseMs'], { value: 4000, source: 'flag', from: '--lease-ms' });
    const alone = await runBaton(['config', '--cluster'], env);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /give --store postgres:\/\/… \(or BATON_STORE\) with --cluster/);
    const short = await runBaton(['config', '--store', url, '--cluster', '--lease-ms', '10'], env);
    assert.equal(short.code, 2);
    // A relay holds its hosts' links in one process: refused before anything is opened.
    const relay = await runBaton(['relay', '--port', '0'], {
      ...env,
      BATON_STORE: url,
      BATON_CLUSTER: '1',
    });
    assert.equal(relay.code, 2, relay.stderr);
    assert.match(relay.stderr, /a relay runs as one node for now; drop --cluster/);
  });

  test('mistakes in the file are refused, every one named by its key, exit 2', async () => {
    writeConfig({
      prot: 8080,
      port: '80',
      log: { formt: 'json', level: 'loud' },
      tls: { cert: 'x' },
    });
    const run = await runBaton(['config'], env);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /has 5 mistakes/);
    assert.match(run.stderr, /"prot" is not a setting; the keys here are host, port, /);
    assert.match(
      run.stderr,
      /"log\.formt" is not a setting in "log"; the keys here are level, format/,
    );
    assert.match(run.stderr, /"port" must be a number \(found "80"\)/);
    assert.match(
      run.stderr,
      /"log\.level" must be one of "debug", "info", "warn", "error", "silent" \(found "loud"\)/,
    );
    assert.match(run.stderr, /"tls" must be \{"selfSigned": true\} or \{"cert"/);
    // serve refuses the same file before starting anything.
    const serve = await runBaton(['serve', '--port', '0'], env);
    assert.equal(serve.code, 2);
    assert.match(serve.stderr, /"prot" is not a setting/);

    writeFileSync(file(), '{ "port": 1, }');
    const broken = await runBaton(['config'], env);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /is not valid JSON/);
    rmSync(file());
  });

  test('bad values in the environment and on the command line name where they came from', async () => {
    const fromEnv = await runBaton(['config'], { ...env, BATON_PORT: 'eighty' });
    assert.equal(fromEnv.code, 2);
    assert.match(
      fromEnv.stderr,
      /BATON_PORT must be a whole number from 0 to 65535, not 'eighty'; fix or unset BATON_PORT/,
    );
    // Read by Number() alone, this was port 80.
    const hex = await runBaton(['config'], { ...env, BATON_PORT: '0x50' });
    assert.equal(hex.code, 2);
    assert.match(hex.stderr, /BATON_PORT must be a whole number from 0 to 65535, not '0x50'/);
    const fromFlag = await runBaton(['config', '--log-format', 'xml'], env);
    assert.equal(fromFlag.code, 2);
    assert.match(
      fromFlag.stderr,
      /--log-format must be text or json, not 'xml'; see baton serve --help/,
    );
    const origin = await runBaton(['config', '--public-url', 'https://x.example/path'], env);
    assert.equal(origin.code, 2);
    assert.match(
      origin.stderr,
      /--public-url must be an http\(s\) origin such as https:\/\/baton\.example\.net/,
    );
    const metrics = await runBaton(['config'], { ...env, BATON_METRICS_PUBLIC: 'maybe' });
    assert.match(metrics.stderr, /BATON_METRICS_PUBLIC must be true or false/);
  });
});
