import { mkdirSync, writeFileSync } from 'node:fs';
import { run } from './run.js';

/** A full install builds the native modules from source: minutes on a small, busy machine. */
const INSTALL_TIMEOUT_MS = 30 * 60_000;

/** The environment every install and command of the packed suite runs in: no stray npm prefix. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env))
    if (/^npm_(config_prefix|config_global|package_|lifecycle_)/i.test(key)) delete env[key];
  return env;
}

/**
 * `npm install -g` of the tarball into an empty prefix (its bin/ holds `baton`). Dependencies come
 * from the registry; native ones build here (npm_config_nodedir, when set, picks the headers).
 */
export async function installGlobal(prefix: string, tarball: string, flags: string[] = []) {
  mkdirSync(prefix, { recursive: true });
  const result = await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', ...flags, tarball],
    { env: cleanEnv(), timeoutMs: INSTALL_TIMEOUT_MS },
  );
  if (result.code !== 0)
    throw new Error(`npm install -g ${flags.join(' ')} ${tarball} failed:\n${result.stderr}`);
}

/** `npm install` of tarballs into a new, empty project folder. */
export async function installLocal(dir: string, tarballs: string[], flags: string[] = []) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, JSON.stringify({ name: 'packed-check', private: true }));
  const result = await run('npm', ['install', '--no-audit', '--no-fund', ...flags, ...tarballs], {
    cwd: dir,
    env: cleanEnv(),
    timeoutMs: INSTALL_TIMEOUT_MS,
  });
  if (result.code !== 0)
    throw new Error(`npm install ${tarballs.join(' ')} failed:\n${result.stderr}`);
}
