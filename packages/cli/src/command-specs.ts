/**
 * Every `baton` subcommand: the options it accepts and its `--help`. The parser refuses any
 * option not listed here, so an unknown or mistyped option is an error that names it instead of
 * silently changing the meaning of the rest of the command line.
 */
export interface CommandSpec {
  name: string;
  /** Options that take a value (`--port 7777` or `--port=7777`). */
  values: readonly string[];
  /** Options that take no value (`--json`). `--help` is accepted by every command. */
  booleans: readonly string[];
  /**
   * Options of `values` that may be given more than once (`--env A=1 --env B=2`); each keeps
   * every value in order (`flagList`). Any other option given twice is an error.
   */
  repeatable?: readonly string[];
  /** How many positional arguments the command takes at most. */
  maxPositionals: number;
  help: string;
}

/** Options of every command that talks to a running server. */
const TARGET_VALUES = ['url', 'token', 'data'] as const;
const TARGET_HELP = `
  --url URL        the server (default: BATON_URL, else the server last started here)
  --token TOKEN    the credential (default: BATON_TOKEN, else this machine's owner token)
  --data DIR       the server's data directory, to find its owner token (default ~/.baton)
  -h, --help       show this help
`;

const SESSION_REF = `
  <session> is an id, a unique id prefix, or a name (see baton ls).
`;

/** Options of `serve`, shared with `config` so that it shows what `serve` would do. */
const SERVE_VALUES = [
  'config',
  'host',
  'port',
  'data',
  'retention',
  'log-level',
  'log-format',
  'allow-origin',
  'durability',
  'store',
  'lease-ms',
  'public-url',
  'tls-cert',
  'tls-key',
] as const;
const SERVE_BOOLEANS: readonly string[] = ['tls', 'cluster'];
const SERVE_OPTIONS_HELP = `  --config FILE         the config file (default BATON_CONFIG, else <data>/config.json)
  --host ADDR           interface to listen on (default 127.0.0.1; 0.0.0.0 for every one)
  --port N              port, 0 picks a free one (default 7777)
  --data DIR            data directory (default BATON_DATA, else BATON_HOME, else ~/.baton)
  --retention N         events kept per session before older ones are compacted (default 100000)
  --log-level LEVEL     debug, info, warn, error or silent (default BATON_LOG, else info)
  --log-format FORMAT   text or json (one JSON object per line; default text)
  --allow-origin URL,…  extra web origins (and their hosts) allowed to open a WebSocket;
                        chrome-extension://ID admits the Chrome extension (docs/web.md)
  --durability MODE     normal or full (see docs/operations.md)
  --store URL           postgres://user@host:5432/database?schema=baton: keep sessions in
                        PostgreSQL instead of SQLite in the data directory (default)
  --cluster             one of many nodes on that PostgreSQL: each session is run by one
                        node, any node serves every client (docs/operations.md, "Many nodes")
  --lease-ms N          with --cluster: a node's hold on a session, the bound on failover
                        (default 10000)
  --public-url URL      the address other devices reach this server at, for pairing links
                        (behind a reverse proxy: https://baton.example.net)
  --tls                 serve https/wss with a self-signed certificate kept in the data
                        directory (made for this machine's names and addresses, renewed
                        before it ends); its SHA-256 fingerprint is printed to check on devices
  --tls-cert FILE       serve https/wss with this PEM certificate (chain: leaf first) …
  --tls-key FILE        … and this PEM private key (both required together)
`;

export const COMMANDS: Record<string, CommandSpec> = {
  serve: {
    name: 'serve',
    maxPositionals: 0,
    values: SERVE_VALUES,
    booleans: [...SERVE_BOOLEANS, 'detach'],
    help: `usage: baton serve [options]

Runs the baton server in the foreground; stop it with Ctrl-C. Settings come from the built-in
defaults, then the config file, then environment variables, then these flags (baton config shows
the result and where each came from).

${SERVE_OPTIONS_HELP}  --detach              run in the background: output to <data>/baton.log, pid in
                        <data>/baton.pid; stop it with baton stop-server
  -h, --help            show this help

BATON_TOKEN, when set, is the owner credential instead of the one kept in the data directory.
`,
  },
  relay: {
    name: 'relay',
    maxPositionals: 0,
    values: SERVE_VALUES,
    booleans: [...SERVE_BOOLEANS],
    help: `usage: baton relay [options]

Runs baton as a relay in the foreground (docs/relay.md): the same server as baton serve, but
every session runs on a host, a machine that connects out to the relay with
baton host --relay URL. Devices see the sessions of every host in one list. Pair each host
with an owner code: baton pair --role owner, then on the host baton host --relay URL --code CODE.

${SERVE_OPTIONS_HELP}  -h, --help            show this help
`,
  },
  host: {
    name: 'host',
    maxPositionals: 1,
    values: ['relay', 'code', 'name', 'data', 'log-level', 'log-format', 'role', 'ttl'],
    booleans: ['plaintext'],
    help: `usage: baton host --relay URL [--code CODE] [--name NAME] [--data DIR] [--plaintext]
       baton host pair --relay URL [--role viewer|editor|owner] [--ttl S] [--data DIR]

Runs this machine's shells and agents for a relay (docs/relay.md). The host connects out to the
relay only (no open port here) and reconnects with backoff; its sessions keep running while
the link is down, and what they print reaches the relay once it is back.

  --relay URL           the relay (http(s)://host:port, as baton relay printed it)
  --code CODE           an owner pairing code from the relay (baton pair --role owner there);
                        needed once: the credential is kept in the data directory
  --name NAME           the name this host is listed under (default: this machine's name)
  --data DIR            the host's own directory (default <BATON_HOME or ~/.baton>/host)
  --plaintext           seal nothing: the relay reads every session (trusted networks only;
                        docs/security.md). By default every session is sealed end to end
  --log-level LEVEL     debug, info, warn, error or silent (default info)
  --log-format FORMAT   text or json
  -h, --help            show this help

baton host pair prints a link (and its QR code) that pairs a device with this host: the device
redeems the code at the relay and introduces its keys to the host, which then wraps every
session key to it. The link's fragment carries the host's public keys and a one-time secret and
is never sent to the relay. The host must be running (or start later: the relay keeps the
introduction).
  --role ROLE           the paired device's role: viewer, editor (default) or owner
  --ttl S               how long the code is valid, in seconds (at most 300)
`,
  },
  config: {
    name: 'config',
    maxPositionals: 0,
    values: SERVE_VALUES,
    booleans: [...SERVE_BOOLEANS, 'json'],
    help: `usage: baton config [serve options] [--json]

Shows the settings baton serve would run with (given the same options) and where each came
from: default, the config file, an environment variable or a flag. Secrets are not printed.
A config file with a mistake (an unknown key, a wrong type) is refused with the key named.

${SERVE_OPTIONS_HELP}  --json                print the settings as JSON
  -h, --help            show this help
`,
  },
  service: {
    name: 'service',
    maxPositionals: 1,
    values: ['data', 'config'],
    booleans: [],
    help: `usage: baton service install|uninstall|status [--data DIR] [--config FILE]

Runs baton serve as a per-user service: a systemd user unit on Linux
(~/.config/systemd/user/baton.service, logs in journalctl --user -u baton), a launchd agent
on macOS (~/Library/LaunchAgents/baton.plist, logs in ~/Library/Logs/baton).

  install          write the unit with this data directory and config file, then enable and
                   start it; where the service manager cannot be reached, print what to run
  uninstall        stop and disable it, and remove the unit
  status           whether it is installed and running, and the URL to open
  --data DIR       the data directory (default BATON_DATA, else ~/.baton)
  --config FILE    the config file (default BATON_CONFIG, else <data>/config.json)
  -h, --help       show this help
`,
  },
  'stop-server': {
    name: 'stop-server',
    maxPositionals: 0,
    values: ['data', 'config'],
    booleans: [],
    help: `usage: baton stop-server [--data DIR]

Stops the server running on the data directory (one started with baton serve --detach, or any
other) with SIGTERM, and waits until its sessions are stopped and it has exited.

  --data DIR       the data directory (default BATON_DATA, else ~/.baton)
  --config FILE    a config file naming the data directory
  -h, --help       show this help
`,
  },
  ls: {
    name: 'ls',
    maxPositionals: 0,
    values: TARGET_VALUES,
    booleans: ['json'],
    help: `usage: baton ls [--json]

Lists the sessions with their status and who is attached.

  --json           print the sessions as JSON${TARGET_HELP}`,
  },
  hosts: {
    name: 'hosts',
    maxPositionals: 0,
    values: TARGET_VALUES,
    booleans: ['json'],
    help: `usage: baton hosts [--json]

Lists the hosts of a relay (machines running baton host --relay), with or without sessions:
whether each is online, when it was last seen and how many of its sessions you see. A new
session names one with baton new --host NAME.

  --json           print the hosts as JSON${TARGET_HELP}`,
  },
  new: {
    name: 'new',
    maxPositionals: 1,
    values: [
      ...TARGET_VALUES,
      'name',
      'cwd',
      'shell',
      'cols',
      'rows',
      'model',
      'permission-mode',
      'system-prompt',
      'binary',
      'env',
      'args',
      'resume',
      'host',
    ],
    repeatable: ['env', 'args'],
    booleans: ['attach', 'read-only'],
    help: `usage: baton new [terminal|claude|codex] [options]

Creates a session (a terminal by default) and prints its id.

  --name NAME              a name to find it by (default: the kind and a number)
  --cwd DIR                working directory
  --env KEY=VALUE          an environment variable for its process (repeat for more)
  --args ARG               one argument appended to its command line (repeat for more;
                           use --args=--flag for one that starts with --)
  --shell PATH             terminal: the program to run (default $SHELL)
  --cols N, --rows N       terminal: initial size (default: this terminal's)
  --model M                claude/codex: the model (default: the server's config, else the CLI's)
  --permission-mode M      claude/codex: the permission mode or approval policy
  --system-prompt TEXT     claude/codex: context for the agent, never shown as a user message
  --binary PATH            claude/codex: the agent CLI to run (default: the server's config,
                           else claude / codex on the server's PATH)
  --resume ID              claude/codex: adopt a conversation or thread baton did not start
                           (see baton conversations): its history is imported and it goes
                           on here; the session runs in its directory (owner only)
  --host NAME              on a relay: the host (by name or id) whose machine runs it
  --attach                 attach to it at once instead of printing its id
  --read-only              with --attach: watch without typing${TARGET_HELP}`,
  },
  conversations: {
    name: 'conversations',
    maxPositionals: 0,
    values: [...TARGET_VALUES, 'kind', 'limit'],
    booleans: ['json'],
    help: `usage: baton conversations [--kind claude|codex] [--limit N] [--json]

Lists the agent conversations on the server's host, newest first, that baton did not start,
for adopting one with baton new claude|codex --resume <id>: it goes on from every device, with
its history. Needs the owner role (they are the host user's own transcripts).

  --kind KIND      claude (default): Claude Code's transcripts; codex: the threads Codex's
                   app-server knows (a short-lived codex app-server is asked)
  --limit N        at most N conversations (default 200)
  --json           print them as JSON${TARGET_HELP}`,
  },
  attach: {
    name: 'attach',
    maxPositionals: 1,
    values: TARGET_VALUES,
    booleans: ['read-only'],
    help: `usage: baton attach <session> [--read-only]

A terminal session full-screen (detach with Ctrl-\\), or an agent session as a chat view.

  --read-only      watch without typing${SESSION_REF}${TARGET_HELP}`,
  },
  send: {
    name: 'send',
    maxPositionals: Infinity,
    values: [...TARGET_VALUES, 'image', 'file'],
    repeatable: ['image', 'file'],
    booleans: ['no-enter'],
    help: `usage: baton send <session> [--no-enter] [--image PATH]… [--file PATH]… [--] <text…>

Sends one input: keystrokes to a terminal (Enter appended), a message to an agent. Put -- before
text that starts with --.

  --no-enter       terminal: do not append Enter
  --image PATH     agent: attach an image (PNG, JPEG, GIF or WebP); may be repeated
  --file PATH      agent: attach a file (PDF or UTF-8 text); may be repeated${SESSION_REF}${TARGET_HELP}`,
  },
  tail: {
    name: 'tail',
    maxPositionals: 1,
    values: [...TARGET_VALUES, 'after'],
    booleans: ['json'],
    help: `usage: baton tail <session> [--after SEQ] [--json]

Prints the session's events and follows it live until Ctrl-C.

  --after SEQ      start after this sequence number (default: the whole retained log)
  --json           one event per line as JSON${SESSION_REF}${TARGET_HELP}`,
  },
  stop: {
    name: 'stop',
    maxPositionals: 1,
    values: TARGET_VALUES,
    booleans: [],
    help: `usage: baton stop <session>

Stops the session's process; the log stays and baton restart starts it again.${SESSION_REF}${TARGET_HELP}`,
  },
  restart: {
    name: 'restart',
    maxPositionals: 1,
    values: TARGET_VALUES,
    booleans: [],
    help: `usage: baton restart <session>

Starts an exited session again in the same directory.${SESSION_REF}${TARGET_HELP}`,
  },
  rename: {
    name: 'rename',
    maxPositionals: Infinity,
    values: TARGET_VALUES,
    booleans: [],
    help: `usage: baton rename <session> <new name>

Renames a session. Names may not contain control characters.${SESSION_REF}${TARGET_HELP}`,
  },
  rm: {
    name: 'rm',
    maxPositionals: 1,
    values: TARGET_VALUES,
    booleans: [],
    help: `usage: baton rm <session>

Deletes the session and its log.${SESSION_REF}${TARGET_HELP}`,
  },
  pair: {
    name: 'pair',
    maxPositionals: 0,
    values: [...TARGET_VALUES, 'role', 'session', 'ttl'],
    booleans: ['json'],
    help: `usage: baton pair [--role viewer|editor|owner] [--session <session>] [--ttl SECONDS] [--json]

Shows a QR code and a short code that pair another device (a phone, a tablet, another
computer): scan the QR, or open the server's address there and type the code. The code works
once and expires (5 minutes by default). baton pair waits and says "paired: <name>" when a
device redeemed it, or stops at expiry; Ctrl-C stops waiting (the code stays valid).

  --role ROLE        what the paired device may do (default viewer): viewer reads, editor also
                     types, stops and answers prompts, owner also pairs and revokes
  --session S        the paired device sees only this session (an id, id prefix or name)
  --ttl SECONDS      how long the code lives, 1 to 300 (default 300)
  --json             print the pairing as JSON (code, url, qrSvg, expiresAt, role, sessionId,
                     fingerprint) and exit without waiting

The QR opens the web app's pairing page on the address this server is reached at. Another
device can reach it only if the server listens beyond loopback (baton serve --host 0.0.0.0
--tls) or sits behind a proxy: see docs/operations.md.${TARGET_HELP}`,
  },
  join: {
    name: 'join',
    maxPositionals: 1,
    values: ['name'],
    booleans: [],
    help: `usage: baton join '<link>' [--name NAME]

Pairs this machine's CLI with a host through its relay, from the link baton host pair printed
on the host (quote it: it contains a #). The host's sessions are sealed: the relay carries them
but cannot read them. The link's fragment gives this CLI the host's public keys (the relay never
sees it); this CLI makes its own keys and keeps them in a file only you can read
(~/.baton/device-keys/, mode 0600; a file others can read is refused), and its token for the
relay beside its other credentials. The host adds this device when it is online; from then on
ls, new, send, tail and attach work on the host's sessions with --url <relay>:
every event is checked (the host's signature, the roster, the keys, the order) and opened
here, and everything typed is sealed here. An event that fails a check is not shown; a line
on stderr says which and why. Joining another host at a relay this CLI is already a device of
adds that host to the same device (one token and one key file per relay).

  --name NAME      this device's name at the relay (default: cli on <hostname>)
  -h, --help       show this help
`,
  },
  devices: {
    name: 'devices',
    maxPositionals: Infinity,
    values: [...TARGET_VALUES, 'session'],
    booleans: ['json'],
    help: `usage: baton devices [--json]
       baton devices rename <device> <new name>
       baton devices role <device> owner|editor|viewer [--session <session>]
       baton devices role <device> default --session <session>
       baton devices revoke <device>

Lists every device with its role, the connection modes it was seen in, when it was last seen
and whether it is online; or changes one. Changing roles and revoking need the owner role; any
device may rename itself. A change applies at once to the device's open windows, and revoking
closes them. The built-in owner (the owner token) cannot be changed.

  --session S      role: narrow the device's role on this one session only (never widens it);
                   'default' removes that narrowing
  --json           print the devices as JSON

  <device> is an id, a unique id prefix, or a name (see baton devices).${TARGET_HELP}`,
  },
  audit: {
    name: 'audit',
    maxPositionals: 0,
    values: [...TARGET_VALUES, 'session', 'device', 'after'],
    booleans: ['follow', 'json'],
    help: `usage: baton audit [--session S] [--device D] [--after ID] [--follow] [--json]

Prints the audit log, oldest first: every control action (input, stop, interrupt, permission
answers, renames, creating, restarting and deleting sessions, role changes, revocations) with
the time, the device, the mode it acted from and its role. Needs the owner role unless the
owner allowed more (PUT /api/settings).

  --session S      only this session (an id, a unique id prefix, or a name)
  --device D       only this device (an id, a unique id prefix, a name, or 'owner')
  --after ID       only entries after this entry id
  --follow         keep printing new entries (Ctrl-C to stop)
  --json           one JSON object per line${TARGET_HELP}`,
  },
};
