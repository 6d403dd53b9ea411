import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** `baton serve` records itself so that later commands on this machine find it. */
export function recordCurrentServer(url: string, dataDir: string): void {
  mkdirSync(batonHome(), { recursive: true, mode: 0o700 });
  writeFileSync(
    currentServerFile(),
    JSON.stringify({ url, dataDir } satisfies CurrentServer) + '\n',
    { mode: 0o600 },
  );
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Resolves the server and credential: `--url` / `BATON_URL`, else the server `baton serve` last
 * started on this machine, else http://127.0.0.1:7777. The credential: `--token` / `BATON_TOKEN`,
 * else this CLI's registered device token for that server, else the owner token from the server's
 * data directory (used once, to register this CLI install as a device).
 */
export async function resolveTarget(args: ParsedArgs): Promise<ServerTarget> {
  const current = readJson<CurrentServer>(currentServerFile());
  const url = (
    flagString(args, 'url') ??
    process.env['BATON_URL'] ??
    current?.url ??
    `http://127.0.0.1:${DEFAULT_PORT}`
  ).replace(/\/+$/, '');
  const wsUrl = url.replace(/^http/, 'ws') + '/v1/ws';
  const explicit = flagString(args, 'token') ?? process.env['BATON_TOKEN'];
  if (explicit) return { url, wsUrl, token: explicit };

  const devices = readJson<Record<string, { deviceId: string; token: string }>>(deviceFile()) ?? {};
  const known = devices[url];
  if (known && (await tokenWorks(url, known.token))) return { url, wsUrl, token: known.token };

  const dataDir = flagString(args, 'data') ?? current?.dataDir ?? batonHome();
  const ownerFile = join(dataDir, 'owner-token');
  if (!existsSync(ownerFile)) {
    throw new CliError(
      `no credential for ${url}: pass --token or set BATON_TOKEN (the token is in the URL baton serve printed)`,
      ExitCode.Unreachable,
    );
  }
  const owner = readFileSync(ownerFile, 'utf8').trim();
  const res = await request(url, 'POST', '/api/devices', owner, {
    name: `cli on ${hostname()}`,
    mode: 'cli',
  });
  const device = res as { deviceId: string; token: string };
  rememberDevice(url, device.deviceId, device.token);
  return { url, wsUrl, token: device.token };
}

/**
 * Keeps this CLI's device credential for the server at `url` (the file is 0600, its folder
 * 0700): later commands to that server use it (`resolveTarget`).
 */
export function rememberDevice(url: string, deviceId: string, token: string): void {
  const devices = readJson<Record<string, { deviceId: string; token: string }>>(deviceFile()) ?? {};
  devices[url.replace(/\/+$/, '')] = { deviceId, token };
  mkdirSync(batonHome(), { recursive: true, mode: 0o700 });
  writeFileSync(deviceFile(), JSON.stringify(devices, null, 2) + '\n', { mode: 0o600 });
}

/** This CLI's device credential for the server at `url`, when it has one. */
export function rememberedDevice(url: string): { deviceId: string; token: string } | undefined {
  const devices = readJson<Record<string, { deviceId: string; token: string }>>(deviceFile()) ?? {};
  const known = devices[url.replace(/\/+$/, '')];
  return known && typeof known.deviceId === 'string' && typeof known.token === 'string'
    ? known
    : undefined;
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
