import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLEAN_ENV, MAIN, runBaton } from '../run-baton.test-helper.js';
import { launchdPlist } from './launchd-plist.js';
import type { ServiceSpec } from './service-spec.js';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const hasPython = spawnSync('python3', ['-c', 'import plistlib']).status === 0;

/**
 * Checks a user unit with systemd's own parser. `--user` needs a runtime directory, which a
 * container without a login session lacks: a private one is made for it. Warnings count as
 * failures (systemd only warns about unknown keys and bad values).
 */
function verifyUnit(unit: string, home: string): void {
  const runtime = join(home, 'runtime');
  mkdirSync(runtime, { recursive: true });
  chmodSync(runtime, 0o700);
  const r = spawnSync('systemd-analyze', ['verify', '--user', unit], {
    encoding: 'utf8',
    env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime },
  });
  assert.equal(r.status, 0, `systemd-analyze verify failed:\n${r.stdout}${r.stderr}`);
  assert.equal(r.stderr.trim(), '', `systemd-analyze verify warned:\n${r.stderr}`);
}

describe(
  'baton service on Linux: a systemd user unit',
  { skip: process.platform !== 'linux' && 'the systemd unit is written on Linux only' },
  () => {
    let home: string;
    let env: Record<string, string | undefined>;
    const unit = () => join(home, '.config', 'systemd', 'user', 'baton.service');

    before(() => {
      // A data directory with a space, a percent sign and a dollar: systemd specifiers and
      // variables must not touch them.
      home = mkdtempSync(join(tmpdir(), 'baton-service-'));
      env = {
        ...CLEAN_ENV,
        HOME: home,
        BATON_HOME: join(home, 'my baton %h $HOME'),
        XDG_CONFIG_HOME: undefined,
      };
    });
    after(() => rmSync(home, { recursive: true, force: true }));

    test(
      'install writes a unit systemd accepts, running this baton with the data directory; uninstall removes it',
      {
        skip:
          !hasSystemdAnalyze && 'systemd-analyze is not installed here (apt-get install systemd)',
      },
      async () => {
        const installed = await runBaton(['service', 'install'], env);
        assert.equal(installed.code, 0, installed.stderr);
        assert.match(installed.stdout, new RegExp(`wrote ${unit().replace(/[.]/g, '\\.')}`));
        const text = readFileSync(unit(), 'utf8');
        assert.match(
          text,
          /^ExecStart="[^"]+node[^"]*" "[^"]+main\.js" "serve" "--data" "[^"]*my baton %%h \$\$HOME"$/m,
        );
        assert.ok(text.includes(`"${MAIN}"`), 'runs this CLI');
        // Environment= expands specifiers but not variables.
        assert.match(text, /^Environment="BATON_HOME=[^"]*my baton %%h \$HOME"$/m);
        assert.match(text, /^StandardOutput=journal$/m);
        assert.match(text, /^WantedBy=default\.target$/m);
        assert.ok(!/BATON_TOKEN/.test(text), 'no credential in the unit file');
        verifyUnit(unit(), home);

        // Either the user manager took it, or the output says exactly what to run.
        const manager = spawnSync('systemctl', ['--user', 'is-system-running'], {
          encoding: 'utf8',
        });
        if (manager.error || /Failed to connect/.test(manager.stderr))
          assert.match(
            installed.stdout,
            /did not work here[\s\S]*systemctl --user daemon-reload\n\s+systemctl --user enable baton\.service\n\s+systemctl --user restart baton\.service/,
          );

        const status = await runBaton(['service', 'status'], env);
        assert.equal(status.code, 0, status.stderr);
        assert.match(status.stdout, /^service: installed/m);
        assert.match(status.stdout, /^server: not running on /m);

        const removed = await runBaton(['service', 'uninstall'], env);
        assert.equal(removed.code, 0, removed.stderr);
        assert.equal(existsSync(unit()), false);
        const again = await runBaton(['service', 'uninstall'], env);
        assert.match(again.stdout, /no baton service is installed/);
      },
    );

    test('install with --config runs serve with that file, and refuses a config file with a mistake', async () => {
      const config = join(home, 'conf.json');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(config, JSON.stringify({ port: 7900 }));
      const installed = await runBaton(['service', 'install', '--config', config], env);
      assert.equal(installed.code, 0, installed.stderr);
      assert.match(readFileSync(unit(), 'utf8'), new RegExp(`"--config" "${config}"`));
      if (hasSystemdAnalyze) verifyUnit(unit(), home);
      writeFileSync(config, JSON.stringify({ port: 'x' }));
      const refused = await runBaton(['service', 'install', '--config', config], env);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /"port" must be a number/);
      await runBaton(['service', 'uninstall'], env);
    });

    test('a wrong action is a usage error', async () => {
      const run = await runBaton(['service', 'start'], env);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /unknown action 'start'; use install, uninstall or status/);
      assert.equal((await runBaton(['service'], env)).code, 2);
    });
  },
);

describe('the launchd agent', () => {
  const spec: ServiceSpec = {
    argv: [
      '/opt/node & co/bin/node',
      '/Users/a <b>/baton/main.js',
      'serve',
      '--data',
      '/Users/a "q"/.baton',
    ],
    env: { PATH: '/usr/bin:/bin', SHELL: '/bin/zsh' },
    dataDir: '/Users/a "q"/.baton',
  };

  test(
    'is a property list that a plist parser reads back to the same program, environment and logs',
    { skip: !hasPython && 'python3 with plistlib is not installed here' },
    () => {
      const xml = launchdPlist(spec, '/Users/a/Library/Logs/baton/baton.log');
      // Python's plistlib, a parser that shares nothing with the writer.
      const parsed = JSON.parse(
        execFileSync(
          'python3',
          [
            '-c',
            'import plistlib, sys, json; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))',
          ],
          { input: xml, encoding: 'utf8' },
        ),
      ) as Record<string, unknown>;
      assert.equal(parsed['Label'], 'baton');
      assert.deepEqual(parsed['ProgramArguments'], spec.argv);
      assert.deepEqual(parsed['EnvironmentVariables'], spec.env);
      assert.equal(parsed['RunAtLoad'], true);
      assert.deepEqual(parsed['KeepAlive'], { SuccessfulExit: false });
      assert.equal(parsed['StandardOutPath'], '/Users/a/Library/Logs/baton/baton.log');
      assert.equal(parsed['StandardErrorPath'], '/Users/a/Library/Logs/baton/baton.log');
      const lint = spawnSync('plutil', ['-lint', '-'], { input: xml });
      if (!lint.error) assert.equal(lint.status, 0, String(lint.stdout));
    },
  );

  test('refuses a value XML cannot carry', () => {
    assert.throws(
      () => launchdPlist({ ...spec, argv: ['/bin/node\u0001'] }, '/l'),
      /control characters/,
    );
  });
});
