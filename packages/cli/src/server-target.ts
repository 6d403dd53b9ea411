import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { batonHome, DEFAULT_PORT } from './cli-home.js';
import { CliError, ExitCode } from './cli-error.js';
import type { ParsedArgs } from './parse-args.js';
import { flagString } from './parse-args.js';

/** Which server a command talks to, and with which credential. */
export interface ServerTarget {
  /** http://host:port */
  url: string;
  wsUrl: string;
  token: string;
}

interface CurrentServer {
  url: string;
  dataDir: string;
}

const currentServerFile = () => join(batonHome(), 'current-server.json');
const deviceFile = () => join(batonHome(), 'cli-device.json');

/**
 * `baton serve` records itself so that later commands on this machine find it. Written aside and
 * renamed into place: a command reading it meanwhile finds the old record or the new one, never
 * half of one.
 */
export function recordCurrentServer(url: string, dataDir: string): void {
  mkdirSync(batonHome(), { recursive: true, mode: 0o700 });
  const file = currentServerFile();
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, JSON.stringify({ url, dataDir } satisfies CurrentServer) + '\n', {
    mode: 0o600,
  });
  renameSync(aside, file);
}

const warned = new Set<string>();

/** Writes a warning to stderr once per process (a command may resolve its target twice). */
function warnOnce(text: string): void {
  if (warned.has(text)) return;
  warned.add(text);
  process.stderr.write(text);
}

/**
 * A JSON object from one of the CLI's own files. A file that is missing, not JSON or not an
 * object reads as absent (it is written again when next needed), as does a field of the wrong
 * type: the files are this CLI's, and a damaged one must not stop every command.
 */
function readObject(file: string): Record<string, unknown> | undefined {
  return readObjectOrProblem(file).value;
}

/** `readObject`, saying what is wrong with a file that exists but reads as absent. */
function readObjectOrProblem(file: string): { value?: Record<string, unknown>; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? {} : { problem: `cannot be read (${code ?? String(err)})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'is not JSON' };
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? { value: value as Record<string, unknown> }
    : { problem: 'is not a JSON object' };
}

/**
 * Where `baton serve` last recorded itself. `problem` says why a file that is there gave no
 * address (commands then fall back to the default address, and say so).
 */
function readCurrentServer(): Partial<CurrentServer> & { problem?: string } {
  const { value: o = {}, problem } = readObjectOrProblem(currentServerFile());
  const url = typeof o['url'] === 'string' ? sameServerUrl(o['url']) : undefined;
  return {
    ...(url !== undefined ? { url } : {}),
    ...(typeof o['dataDir'] === 'string' ? { dataDir: o['dataDir'] } : {}),
    ...(problem !== undefined
      ? { problem }
      : o['url'] !== undefined && url === undefined
        ? { problem: 'names no http(s) address' }
        : {}),
  };
}

/**
 * One spelling of a server's address, `origin` plus any path without its trailing slash: this
 * CLI keeps one device credential per server, and `HTTP://Host:80/` registering a second device
 * beside `http://host` would be a device per spelling. Undefined for anything but http(s) without
 * a query or credentials; a fragment (the `#token=…` of the address `baton serve` prints) is no
 * part of the address.
 */
function sameServerUrl(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.search !== '' || u.username !== '' || u.password !== '') return undefined;
  return (u.origin + u.pathname).replace(/\/+$/, '');
}

/**
 * The same loopback server under its other usual name: `localhost` for `127.0.0.1` and the other
 * way round, where `baton serve` listens by default. Undefined for any other address.
 */
function loopbackTwin(url: string): string | undefined {
  const u = new URL(url);
  const host = u.hostname.toLowerCase();
  if (host !== 'localhost' && host !== '127.0.0.1') return undefined;
  u.hostname = host === 'localhost' ? '127.0.0.1' : 'localhost';
  return sameServerUrl(u.href);
}

/**
 * The spelling of `url` this CLI's credential is saved under: the address itself, or else its
 * loopback twin (a credential registered through `127.0.0.1` serves `localhost`, so that one
 * server is not two devices). Its sealed keys are found under the same spelling.
 */
export function credentialSpelling(url: string, devices = readDevices()): string {
  const exact = url.replace(/\/+$/, '');
  if (devices[exact]) return exact;
  const twin = loopbackTwin(exact);
  return twin !== undefined && devices[twin] ? twin : exact;
}

function serverUrl(text: string, from: '--url' | 'BATON_URL'): string {
  const url = sameServerUrl(text);
  if (url === undefined)
    throw new CliError(
      `${from} must be the server's http(s) address, such as http://127.0.0.1:${DEFAULT_PORT}, not '${text.slice(0, 80)}'`,
      ExitCode.Usage,
    );
  return url;
}

type Credential = { deviceId: string; token: string };

/** This CLI's device credentials by server URL; entries of the wrong shape are left out. */
function readDevices(): Record<string, Credential> {
  const devices: Record<string, Credential> = {};
  for (const [saved, c] of Object.entries(readObject(deviceFile()) ?? {})) {
    const entry = c as Partial<Credential> | null;
    // Saved by an older CLI under the address as typed (`https://host:443/`): found as the same.
    const url = sameServerUrl(saved) ?? saved;
    if (typeof entry?.deviceId === 'string' && typeof entry.token === 'string')
      devices[url] ??= { deviceId: entry.deviceId, token: entry.token };
  }
  return devices;
}

/** What a baton token can be made of: visible ASCII. A header cannot carry anything else. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,1024}$/;

/**
 * Resolves the server and credential: `--url` / `BATON_URL`, else the server `baton serve` last
 * started on this machine, else http://127.0.0.1:7777. The credential: `--token` / `BATON_TOKEN`,
 * else this CLI's registered device token for that server, else the owner token from the server's
 * data directory (used once, to register this CLI install as a device).
 */
export async function resolveTarget(args: ParsedArgs): Promise<ServerTarget> {
  const current = readCurrentServer();
  const flaggedUrl = flagString(args, 'url');
  const envUrl = process.env['BATON_URL'] || undefined;
  const fallback = `http://127.0.0.1:${DEFAULT_PORT}`;
  const url =
    flaggedUrl !== undefined
      ? serverUrl(flaggedUrl, '--url')
      : envUrl !== undefined
        ? serverUrl(envUrl, 'BATON_URL')
        : (current.url ?? fallback);
  if (flaggedUrl === undefined && envUrl === undefined && current.problem !== undefined)
    warnOnce(
      // A warning, not a refusal: the server may well be at the default address.
      `baton: ${currentServerFile()} ${current.problem}, so this uses ${fallback}; ${
        current.problem.startsWith('cannot be read')
          ? 'fix or remove it'
          : "start 'baton serve' to write it again"
      }, or pass --url\n`,
    );
  const wsUrl = url.replace(/^http/, 'ws') + '/v1/ws';
  const flagged = flagString(args, 'token');
  // Surrounding whitespace is no part of a token (a `\r` from a file edited on Windows).
  const explicit = (flagged ?? process.env['BATON_TOKEN'])?.trim();
  if (explicit) {
    if (!TOKEN_SHAPE.test(explicit))
      throw new CliError(
        `the token in ${flagged !== undefined ? '--token' : 'BATON_TOKEN'} has characters no baton token has (a space, a line break or non-ASCII): copy it again`,
        ExitCode.Usage,
      );
    return { url, wsUrl, token: explicit };
  }

  const devices = readDevices();
  const known = devices[credentialSpelling(url, devices)];
  if (known && TOKEN_SHAPE.test(known.token) && (await tokenWorks(url, known.token)))
    return { url, wsUrl, token: known.token };
  // Not this server's (a twin's credential that another server behind this spelling refused):
  // it registers a device of its own below, saved under this spelling beside the twin's.

  const dataDir = flagString(args, 'data') ?? current.dataDir ?? batonHome();
  const ownerFile = join(dataDir, 'owner-token');
  if (!existsSync(ownerFile)) {
    throw new CliError(
      `no credential for ${url}: pass --token or set BATON_TOKEN (the token is in the URL baton serve printed)`,
      ExitCode.Unreachable,
    );
  }
  const owner = readFileSync(ownerFile, 'utf8').trim();
  if (!TOKEN_SHAPE.test(owner))
    throw new CliError(
      `the owner token in ${ownerFile} is empty or damaged: start baton serve once to write it again, or pass --token`,
      ExitCode.Unreachable,
    );
  const res = await request(url, 'POST', '/api/devices', owner, {
    name: `cli on ${hostname()}`,
    mode: 'cli',
  });
  const device = res as Credential;
  try {
    rememberDevice(url, device.deviceId, device.token);
  } catch (err) {
    // A device this CLI cannot remember would be registered again by every command: take it back.
    await request(url, 'DELETE', `/api/devices/${device.deviceId}`, owner).catch(() => undefined);
    throw new CliError(
      `cannot save this CLI's credential in ${deviceFile()} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): fix or move it, or set BATON_HOME to a directory of your own`,
      ExitCode.Failed,
    );
  }
  return { url, wsUrl, token: device.token };
}

/**
 * Keeps this CLI's device credential for the server at `url` (the file is 0600, its folder
 * 0700): later commands to that server use it (`resolveTarget`).
 */
export function rememberDevice(url: string, deviceId: string, token: string): void {
  const devices = readDevices();
  devices[url.replace(/\/+$/, '')] = { deviceId, token };
  mkdirSync(batonHome(), { recursive: true, mode: 0o700 });
  writeFileSync(deviceFile(), JSON.stringify(devices, null, 2) + '\n', { mode: 0o600 });
}

/** This CLI's device credential for the server at `url`, when it has one. */
export function rememberedDevice(url: string): { deviceId: string; token: string } | undefined {
  const devices = readDevices();
  return devices[credentialSpelling(url, devices)];
}

async function tokenWorks(url: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(url + '/api/devices', {
      headers: { authorization: `Bearer ${token}` },
    });
    return res.ok;
  } catch {
    return true; // unreachable: let the real request report it
  }
}

/** One HTTP API call; server errors become CliErrors with the server's message. */
export async function request(
  url: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<unknown> {
  let res: Response;
  try {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    res = await fetch(url + path, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new CliError(
      `cannot reach baton at ${url} (${cause}); start it with 'baton serve' or pass --url`,
      ExitCode.Unreachable,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new CliError(
      `${url}${path} answered ${res.status} with something that is not JSON; is this a baton server?`,
      ExitCode.Unreachable,
    );
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; retryAfterMs?: number } })
      .error;
    const code = res.status === 401 ? ExitCode.Unreachable : ExitCode.Failed;
    const refusal: { code?: string; retryAfterMs?: number } = {};
    if (typeof e?.code === 'string') refusal.code = e.code;
    if (typeof e?.retryAfterMs === 'number') refusal.retryAfterMs = e.retryAfterMs;
    throw new CliError(
      e?.message
        ? `${e.message} (${e.code ?? res.status})`
        : `request failed with HTTP ${res.status}`,
      code,
      refusal,
    );
  }
  return json;
}
