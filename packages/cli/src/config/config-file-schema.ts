import { z } from 'zod';

/**
 * The config file (`config.json`): every key optional, every object strict. An unknown key is an
 * error, never ignored: a typo such as `"prot": 8080` must not leave the server on its default
 * port while the user believes otherwise. Paths may be relative to the file's own directory.
 */
const AgentDefaults = z.strictObject({
  /** The agent CLI to run for sessions that name none: a name looked up on PATH, or a path. */
  binary: z.string().min(1).optional(),
  /** The model for sessions that name none. */
  model: z.string().min(1).optional(),
});

const Price = z.number().nonnegative().max(100_000);

/**
 * Codex reports tokens but no cost; baton estimates it from a built-in price table (the server's
 * `CODEX_PRICES`). These entries, by model name, override or add to it: US dollars per million
 * tokens of input, cached input (defaults to `input`) and output.
 */
const CodexDefaults = AgentDefaults.extend({
  prices: z
    .record(
      z.string().min(1),
      z.strictObject({ input: Price, cachedInput: Price.optional(), output: Price }),
    )
    .optional(),
});

export const LOG_LEVEL_NAMES = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export const LOG_FORMAT_NAMES = ['text', 'json'] as const;

export const TlsSetting = z.union(
  [
    z.strictObject({ selfSigned: z.literal(true) }),
    z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }),
  ],
  {
    error:
      'must be {"selfSigned": true} or {"cert": "PATH.pem", "key": "PATH.pem"}; leave tls out for plain HTTP',
  },
);
export type TlsSetting = z.infer<typeof TlsSetting>;

export const ConfigFile = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  data: z.string().min(1).optional(),
  retention: z.number().int().min(100).max(100_000_000).optional(),
  durability: z.enum(['normal', 'full']).optional(),
  /** PostgreSQL instead of the embedded SQLite store (docs/operations.md, "PostgreSQL"). */
  store: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/i, 'must be a postgres://user@host:5432/database URL')
    .optional(),
  /** One of many nodes on the PostgreSQL `store` (docs/operations.md, "Many nodes"). */
  cluster: z.boolean().optional(),
  /** With `cluster`: a session's lease in ms, the bound on failover (default 10000). */
  leaseMs: z.number().int().min(500).max(600_000).optional(),
  allowedOrigins: z.array(z.string().min(1)).optional(),
  /** Checked as an http(s) origin when the settings are resolved. */
  publicUrl: z.string().min(1).optional(),
  tls: TlsSetting.optional(),
  log: z
    .strictObject({
      level: z.enum(LOG_LEVEL_NAMES).optional(),
      format: z.enum(LOG_FORMAT_NAMES).optional(),
    })
    .optional(),
  metrics: z.strictObject({ public: z.boolean().optional() }).optional(),
  notifications: z
    .strictObject({
      enabled: z.boolean().optional(),
      subject: z
        .string()
        .regex(/^(mailto:|https:\/\/)\S+$/, 'must be a mailto: or https:// contact')
        .optional(),
    })
    .optional(),
  agents: z
    .strictObject({ claude: AgentDefaults.optional(), codex: CodexDefaults.optional() })
    .optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;
