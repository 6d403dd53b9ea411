#!/usr/bin/env node
import { CliError, ExitCode } from './cli-error.js';
import { COMMANDS } from './command-specs.js';
import { parseArgs, type ParsedArgs } from './parse-args.js';
import { attach } from './commands/attach.js';
import { config } from './commands/config.js';
import { pair } from './commands/pair.js';
import { join } from './commands/join.js';
import { audit, devices } from './commands/device-commands.js';
import { serve } from './commands/serve.js';
import { host } from './commands/host.js';
import { hosts } from './commands/hosts.js';
import { service } from './commands/service.js';
import { stopServer } from './commands/stop-server.js';
import { create, ls, remove, rename, restart, send, stop } from './commands/session-commands.js';
import { tail } from './commands/tail.js';
import { conversations } from './commands/conversations.js';
import { resolveTarget } from './server-target.js';

const HELP = `baton — one live terminal or agent session, in step on every window and device

usage: baton <command> [options]

  serve                     run the server (--host 127.0.0.1 --port 7777 --data ~/.baton …;
                            --detach to run it in the background)
  relay                     run the server as a relay: every session runs on a host, all
                            hosts in one list (same options as serve; docs/relay.md)
  host --relay URL          run this machine's shells and agents for a relay, connecting out
                            (--code CODE once, from baton pair --role owner on the relay)
  config                    show the effective settings and where each came from (--json)
  service install|uninstall|status
                            run the server as a systemd user unit / launchd agent
  stop-server               stop the server running on the data directory
  ls                        list sessions (--json)
  hosts                     a relay's hosts, with or without sessions: online, last seen,
                            sessions (--json)
  new [terminal|claude|codex]
                            create a session; prints its id (--name N --cwd DIR --shell PATH
                            --cols N --rows N --model M --permission-mode M --system-prompt T
                            --binary PATH --env K=V --args ARG --resume ID --attach)
  conversations             the host's Claude Code conversations (--kind codex: Codex
                            threads) baton can adopt with baton new claude|codex --resume <id>
                            (--json)
  attach <session>          full-screen terminal (detach: Ctrl-\\) or chat view (--read-only)
  send <session> <text…>    send input (terminals get Enter appended unless --no-enter)
  tail <session>            print events and follow live (--after SEQ --json)
  stop <session>            stop the session's process (the log stays)
  restart <session>         start an exited session again in the same directory
  rename <session> <name>
  rm <session>              delete the session and its log
  pair                      show a QR code and a short code that pair a phone or another
                            device (--role viewer|editor|owner --session S --ttl 300 --json)
  join '<link>'             pair this CLI with a host through its relay, from the link
                            baton host pair printed; its sealed sessions open here (--name N)
  devices                   list devices: role, modes, last seen, online (--json)
  devices rename <device> <name>
  devices role <device> <role>
                            owner, editor or viewer (--session S: on one session only)
  devices revoke <device>   revoke a device; its windows close at once
  audit                     the audit log (--session S --device D --follow --json)

  <session> is an id, a unique id prefix, or a name. baton <command> --help shows a
  command's options.
  Commands other than serve find the server from --url / BATON_URL, else the server last
  started on this machine; the credential from --token / BATON_TOKEN, else this machine's
  owner token (the CLI registers itself as a device with it once).
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'help' && rest[0] !== undefined && rest[0] !== '--help' && rest[0] !== '-h') {
    const topic = rest[0];
    if (!Object.hasOwn(COMMANDS, topic))
      throw new CliError(
        `no command '${topic.slice(0, 60)}' to help with; run baton --help for the list`,
        ExitCode.Usage,
      );
    process.stdout.write(COMMANDS[topic]!.help);
    return;
  }
  // An empty argument ('baton ""', from a script's unset variable) is no command, not a request
  // for help: it fails like any other unknown command.
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write('baton 0.1.0\n');
    return;
  }
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!spec)
    throw new CliError(
      `unknown command '${command.slice(0, 60)}'; run baton --help`,
      ExitCode.Usage,
    );
  const args: ParsedArgs = parseArgs(rest, spec);
  if (args.help) {
    process.stdout.write(spec.help);
    return;
  }
  switch (command) {
    case 'serve':
      return serve(args);
    case 'relay':
      return serve(args, { relay: true });
    case 'host':
      return host(args);
    case 'hosts':
      return hosts(args);
    case 'config':
      config(args);
      return;
    case 'service':
      return service(args);
    case 'stop-server':
      return stopServer(args);
    case 'ls':
      return ls(args);
    case 'new': {
      const session = await create(args);
      if (args.flags.has('attach'))
        await attach(args, { target: await resolveTarget(args), session });
      return;
    }
    case 'conversations':
      return conversations(args);
    case 'attach':
      return attach(args);
    case 'send':
      return send(args);
    case 'tail':
      return tail(args);
    case 'stop':
      await stop(args);
      return;
    case 'restart':
      await restart(args);
      return;
    case 'rename':
      return rename(args);
    case 'rm':
      await remove(args);
      return;
    case 'pair':
      return pair(args);
    case 'join':
      return join(args);
    case 'devices':
      return devices(args);
    case 'audit':
      return audit(args);
    default:
      throw new CliError(`unknown command '${command}'; run baton --help`, ExitCode.Usage);
  }
}

/**
 * Exits once what was written has left: on a pipe, output past the pipe's buffer (64 KiB) waits
 * in this process, and `process.exit` alone would drop it (`baton ls --json | jq` got a cut
 * document). A write's callback runs after the writes before it, or with an error when the
 * reader is gone, so both streams are waited for either way.
 */
function exitAfterOutput(code: number): void {
  let open = 2;
  const done = () => {
    if (--open === 0) process.exit(code);
  };
  // A reader that went away (`baton ls | head -1`) ends the wait: nothing more can be delivered.
  for (const stream of [process.stdout, process.stderr])
    stream.once('error', () => process.exit(code));
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(
  // Exit explicitly: an open WebSocket or timer must not keep a finished command alive.
  () => exitAfterOutput(ExitCode.Ok),
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`baton: ${err.message}\n`);
      exitAfterOutput(err.exitCode);
      return;
    }
    process.stderr.write(`baton: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    exitAfterOutput(ExitCode.Failed);
  },
);
