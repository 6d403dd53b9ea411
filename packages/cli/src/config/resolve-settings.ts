import { dirname, resolve } from 'node:path';
import type { ModelPrices } from '@baton/server';
import { batonHome, DEFAULT_PORT } from '../cli-home.js';
import { CliError, ExitCode } from '../cli-error.js';
import type { ParsedArgs } from '../parse-args.js';
import { LOG_FORMAT_NAMES, LOG_LEVEL_NAMES, type ConfigFile } from './config-file-schema.js';
import { loadConfigFile, type ConfigLocation } from './load-config-file.js';
import {
  boolean,
  allowedOrigin,
  allowedOriginList,
  integer,
  oneOf,
  postgresUrl,
  publicOrigin,
  text,
  type TextParser,
  withoutPassword,
} from './setting-parsers.js';

/** Where a setting's value came from. `from` names it: the file's path, a variable, a flag. */
export interface SettingOrigin {
  source: 'default' | 'file' | 'env' | 'flag';
  from: string;
}

export interface ResolvedSetting {
  /** The key as written in the config file (`log.format`). */
  key: string;
  value: unknown;
  origin: SettingOrigin;
  /** Shown as `(set)` only: never printed. */
  secret?: boolean;
  /** The value as it may be printed, when it holds a part that must not be (a password). */
  shown?: string;
}

export type TlsOption = { selfSigned: true } | { certFile: string; keyFile: string };
export interface AgentDefaults {
  binary?: string;
  model?: string;
  /** Codex only: prices by model, for its cost estimates (config file only). */
  prices?: ModelPrices;
}

/** The effective settings of `baton serve`, each with where it came from. */
export interface Settings {
  configFile: ConfigLocation & { exists: boolean };
  host: string;
  port: number;
  data: string;
  retention: number;
  durability: 'normal' | 'full';
  /** A postgres:// URL, or undefined for the embedded SQLite store in the data directory. */
  store: string | undefined;
  /** One of many nodes on the PostgreSQL `store` (docs/operations.md, "Many nodes"). */
  cluster: boolean;
  /** How long a node's lease on a session lasts without renewal: the failover bound. */
  leaseMs: number;
  allowedOrigins: string[];
  /** The origin other devices reach this server at, for pairing links. */
  publicUrl: string | undefined;
  tls: TlsOption | undefined;
  log: { level: (typeof LOG_LEVEL_NAMES)[number]; format: (typeof LOG_FORMAT_NAMES)[number] };
  metrics: { public: boolean };
  notifications: { enabled: boolean; subject: string | undefined };
  agents: { claude: AgentDefaults; codex: AgentDefaults };
  ownerToken: string | undefined;
  /** Every setting in display order, with its origin. */
  entries: ResolvedSetting[];
}

type Env = Record<string, string | undefined>;

/**
 * Resolves the server's settings. Precedence, lowest first: built-in default < config file <
 * environment variable < command-line flag. The config file is `--config`, else `BATON_CONFIG`,
 * else `config.json` in the data directory (`--data`, else `BATON_DATA`, else `BATON_HOME`, else
 * ~/.baton), which may be absent. Relative paths in the file are relative to the file.
 */
export function resolveSettings(
  args: ParsedArgs,
  env: Env = process.env,
  cwd: string = process.cwd(),
): Settings {
  const set = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const flag = (name: string): string | undefined => {
    const v = args.flags.get(name);
    if (v === true && name === 'cluster') return 'true';
    return typeof v === 'string' ? v : undefined;
  };

  const lookupData = flag('data') ?? set('BATON_DATA') ?? batonHome();
  const location: ConfigLocation =
    flag('config') !== undefined
      ? { path: resolve(cwd, flag('config')!), from: '--config' }
      : set('BATON_CONFIG') !== undefined
        ? { path: resolve(cwd, set('BATON_CONFIG')!), from: 'BATON_CONFIG' }
        : { path: resolve(cwd, lookupData, 'config.json'), from: 'data directory' };
  const { file } = loadConfigFile(location);
  const fileDir = dirname(location.path);
  const fromFile = (p: string) => resolve(fileDir, p);
  const fileOrigin: SettingOrigin = { source: 'file', from: location.path };

  const entries: ResolvedSetting[] = [];
  function pick<T>(
    key: string,
    o: {
      flag?: string;
      env?: string;
      file: T | undefined;
      def: T;
      defFrom?: string;
      parse: TextParser<T>;
      secret?: boolean;
      show?: (value: T) => string | undefined;
    },
  ): T {
    let value = o.def;
    let origin: SettingOrigin = { source: 'default', from: o.defFrom ?? 'default' };
    if (o.file !== undefined) [value, origin] = [o.file, fileOrigin];
    const e = o.env !== undefined ? set(o.env) : undefined;
    if (e !== undefined) [value, origin] = [o.parse(e, o.env!), { source: 'env', from: o.env! }];
    const f = o.flag !== undefined ? flag(o.flag) : undefined;
    if (f !== undefined)
      [value, origin] = [o.parse(f, `--${o.flag!}`), { source: 'flag', from: `--${o.flag!}` }];
    const shown = o.show?.(value);
    entries.push({
      key,
      value,
      origin,
      ...(o.secret ? { secret: true } : {}),
      ...(shown !== undefined ? { shown } : {}),
    });
    return value;
  }
  const path: TextParser<string> = (t, where) => resolve(cwd, text(t, where));
  const binary: TextParser<string> = (t, where) =>
    t.includes('/') ? resolve(cwd, text(t, where)) : text(t, where);
  const fileBinary = (b: string | undefined) =>
    b === undefined ? undefined : b.includes('/') ? fromFile(b) : b;
  const f: ConfigFile = file ?? {};

  const host = pick('host', {
    flag: 'host',
    env: 'BATON_HOST',
    file: f.host,
    def: '127.0.0.1',
    parse: text,
  });
  const port = pick('port', {
    flag: 'port',
    env: 'BATON_PORT',
    file: f.port,
    def: DEFAULT_PORT,
    parse: integer(0, 65535),
  });
  const data = pick('data', {
    flag: 'data',
    env: 'BATON_DATA',
    file: f.data === undefined ? undefined : fromFile(f.data),
    def: resolve(cwd, batonHome()),
    defFrom: set('BATON_HOME') !== undefined ? 'BATON_HOME' : 'default',
    parse: path,
  });
  const retention = pick('retention', {
    flag: 'retention',
    env: 'BATON_RETENTION',
    file: f.retention,
    def: 100_000,
    parse: integer(100, 100_000_000),
  });
  const durability = pick<'normal' | 'full'>('durability', {
    flag: 'durability',
    env: 'BATON_DURABILITY',
    file: f.durability,
    def: 'normal',
    parse: oneOf(['normal', 'full'] as const),
  });
  const store = pick<string | undefined>('store', {
    flag: 'store',
    env: 'BATON_STORE',
    file: f.store,
    def: undefined,
    defFrom: 'default (SQLite in the data directory)',
    parse: postgresUrl,
    show: (v) => (v === undefined ? undefined : withoutPassword(v)),
  });
  // --cluster is a flag without a value (read as 'true'); BATON_CLUSTER and the file's `cluster` say it too.
  const cluster = pick('cluster', {
    flag: 'cluster',
    env: 'BATON_CLUSTER',
    file: f.cluster,
    def: false,
    parse: boolean,
  });
  const leaseMs = pick('leaseMs', {
    flag: 'lease-ms',
    env: 'BATON_LEASE_MS',
    file: f.leaseMs,
    def: 10_000,
    parse: integer(500, 600_000),
  });
  if (cluster && store === undefined) {
    throw new CliError(
      'cluster: many nodes share one PostgreSQL; give --store postgres://… (or BATON_STORE) with --cluster',
      ExitCode.Usage,
    );
  }
  const allowedOrigins = pick('allowedOrigins', {
    flag: 'allow-origin',
    env: 'BATON_ALLOW_ORIGIN',
    file: f.allowedOrigins?.map((entry) =>
      allowedOrigin(entry, `"allowedOrigins" in ${location.path}`),
    ),
    def: [],
    parse: allowedOriginList,
  });
  const publicUrl = pick<string | undefined>('publicUrl', {
    flag: 'public-url',
    env: 'BATON_PUBLIC_URL',
    file:
      f.publicUrl === undefined
        ? undefined
        : publicOrigin(f.publicUrl, `"publicUrl" in ${location.path}`),
    def: undefined,
    parse: publicOrigin,
  });
  const tls = resolveTls(f, fromFile, fileOrigin, args, cwd, entries);
  const level = pick<Settings['log']['level']>('log.level', {
    flag: 'log-level',
    env: 'BATON_LOG',
    file: f.log?.level,
    def: 'info',
    parse: oneOf(LOG_LEVEL_NAMES),
  });
  const format = pick<Settings['log']['format']>('log.format', {
    flag: 'log-format',
    env: 'BATON_LOG_FORMAT',
    file: f.log?.format,
    def: 'text',
    parse: oneOf(LOG_FORMAT_NAMES),
  });
  const metricsPublic = pick('metrics.public', {
    env: 'BATON_METRICS_PUBLIC',
    file: f.metrics?.public,
    def: false,
    parse: boolean,
  });
  // On by default: a device still gets nothing until it subscribes and picks what it wants.
  const notificationsEnabled = pick('notifications.enabled', {
    file: f.notifications?.enabled,
    def: true,
    parse: boolean,
  });
  const subject = pick<string | undefined>('notifications.subject', {
    file: f.notifications?.subject,
    def: undefined,
    parse: text,
  });
  const agent = (kind: 'claude' | 'codex', upper: string): AgentDefaults => {
    const b = pick<string | undefined>(`agents.${kind}.binary`, {
      env: `BATON_${upper}_BINARY`,
      file: fileBinary(f.agents?.[kind]?.binary),
      def: undefined,
      parse: binary,
    });
    const m = pick<string | undefined>(`agents.${kind}.model`, {
      env: `BATON_${upper}_MODEL`,
      file: f.agents?.[kind]?.model,
      def: undefined,
      parse: text,
    });
    const p =
      kind === 'codex'
        ? pick<ModelPrices | undefined>('agents.codex.prices', {
            file: f.agents?.codex?.prices,
            def: undefined,
            defFrom: 'built-in table',
            parse: () => undefined,
          })
        : undefined;
    return {
      ...(b !== undefined ? { binary: b } : {}),
      ...(m !== undefined ? { model: m } : {}),
      ...(p !== undefined ? { prices: p } : {}),
    };
  };
  const agents = { claude: agent('claude', 'CLAUDE'), codex: agent('codex', 'CODEX') };
  const ownerToken = pick<string | undefined>('ownerToken', {
    env: 'BATON_TOKEN',
    file: undefined,
    def: undefined,
    defFrom: 'default (kept in the data directory)',
    parse: text,
    secret: true,
  });

  return {
    configFile: { ...location, exists: file !== undefined },
    host,
    port,
    data,
    retention,
    durability,
    store,
    cluster,
    leaseMs,
    allowedOrigins,
    publicUrl,
    tls,
    log: { level, format },
    metrics: { public: metricsPublic },
    notifications: { enabled: notificationsEnabled, subject },
    agents,
    ownerToken,
    entries,
  };
}

/**
 * TLS: `--tls` (self-signed) or `--tls-cert` with `--tls-key` on the command line, else the
 * file's `tls`, else plain HTTP. The flags belong to `serve`; they are read here when given.
 */
function resolveTls(
  f: ConfigFile,
  fromFile: (p: string) => string,
  fileOrigin: SettingOrigin,
  args: ParsedArgs,
  cwd: string,
  entries: ResolvedSetting[],
): TlsOption | undefined {
  const cert = args.flags.get('tls-cert');
  const key = args.flags.get('tls-key');
  let value: TlsOption | undefined;
  let origin: SettingOrigin = { source: 'default', from: 'default' };
  if (f.tls !== undefined) {
    value =
      'selfSigned' in f.tls
        ? { selfSigned: true }
        : { certFile: fromFile(f.tls.cert), keyFile: fromFile(f.tls.key) };
    origin = fileOrigin;
  }
  if (args.flags.get('tls') === true && (cert !== undefined || key !== undefined))
    throw new CliError(
      `--tls makes a self-signed certificate; with --tls-cert/--tls-key give only those two; see baton serve --help`,
      ExitCode.Usage,
    );
  if (args.flags.get('tls') === true) {
    value = { selfSigned: true };
    origin = { source: 'flag', from: '--tls' };
  } else if ((typeof cert === 'string') !== (typeof key === 'string')) {
    throw new CliError(
      `--tls-cert and --tls-key go together: give both PEM files, or --tls for a self-signed certificate`,
      ExitCode.Usage,
    );
  } else if (typeof cert === 'string' && typeof key === 'string') {
    value = { certFile: resolve(cwd, cert), keyFile: resolve(cwd, key) };
    origin = { source: 'flag', from: '--tls-cert/--tls-key' };
  }
  entries.push({ key: 'tls', value, origin });
  return value;
}
