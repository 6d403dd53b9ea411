import { HostListResponse, describeZodError } from '@baton/protocol';
import { CliError, ExitCode } from '../cli-error.js';
import { formatHostTable } from '../format-hosts.js';
import type { ParsedArgs } from '../parse-args.js';
import { request, resolveTarget } from '../server-target.js';

/** `baton hosts`: a relay's hosts (GET /api/hosts), sessions or not. */
export async function hosts(args: ParsedArgs): Promise<void> {
  const target = await resolveTarget(args);
  const parsed = HostListResponse.safeParse(
    await request(target.url, 'GET', '/api/hosts', target.token),
  );
  if (!parsed.success)
    throw new CliError(
      `the server at ${target.url} answered GET /api/hosts with something else (${describeZodError(parsed.error)}); update baton on it`,
      ExitCode.Failed,
    );
  const { relay, hosts: list } = parsed.data;
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return;
  }
  if (!relay) {
    process.stdout.write(
      `${target.url} is not a relay: it runs its sessions itself and has no hosts (docs/relay.md)\n`,
    );
    return;
  }
  if (list.length === 0) {
    process.stdout.write(
      'no host has connected yet: run baton host --relay URL on a machine (docs/relay.md)\n',
    );
    return;
  }
  process.stdout.write(formatHostTable(list, Date.now()));
}
