import { BatonApi } from '../baton-api.js';
import type { SystemName } from '../drivers/connection.js';
import { RawBatonClient } from '../drivers/joiner.js';
import { summarizeUs } from '../stats.js';
import { withServer } from './harness.js';
import type { Scenario, SystemRun } from './result.js';

export interface LateJoinerParams {
  /** Lines the terminal prints before anyone joins late. */
  lines: number;
  /** Late joiners, one after the other. */
  joiners: number;
}

const MARKER = 'LATE-JOINER-READY';

/**
 * A terminal session prints `lines` coloured lines and then waits; `joiners` devices then
 * subscribe from the start, one after another, far enough behind that the server sends the
 * screen (a snapshot) instead of the log. Measured: subscribe sent → snapshot frame received, on
 * loopback, so it bounds the server's time from the subscribe to the snapshot sent from above.
 * Every joiner must get a snapshot at the head, then nothing missing.
 */
export function lateJoinerScenario(
  name: string,
  title: string,
  description: string,
  params: LateJoinerParams,
): Scenario {
  return {
    name,
    title,
    description,
    systems: ['baton', 'baton-full'],
    run: (system: SystemName) =>
      withServer(system, 1, async (server) => {
        const { httpUrl = '', ownerToken = '' } = server.info;
        const api = new BatonApi(httpUrl, ownerToken);
        const script =
          `i=1; while [ $i -le ${params.lines} ]; do printf '\\033[3%dmline %d of the scrollback\\033[0m\\n' $((i % 8)) $i; i=$((i+1)); done; ` +
          `echo ${MARKER}; exec sleep 3600`;
        const sessionId = await api.createSession('terminal', 'late-joiner', {
          shell: 'sh',
          args: ['-c', script],
          cols: 120,
          rows: 40,
        });
        const problems: string[] = [];
        const writer = await RawBatonClient.connect(server.info.url, ownerToken);
        writer.send({ type: 'subscribe', rid: 1, sessionId, afterSeq: 0, readOnly: false });
        const deadline = Date.now() + 60_000;
        while (!writer.output.includes(MARKER) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        if (!writer.output.includes(MARKER)) problems.push('the terminal never printed its lines');
        // Output arrives in few large events; resizes add many small ones, so a joiner from the
        // start is far enough behind for the server to send the screen, as for a real terminal
        // that has been used for a while.
        for (let i = 0; i < 150; i++) {
          writer.send({ type: 'resize', sessionId, cols: 100, rows: 30 });
          writer.send({ type: 'resize', sessionId, cols: 120, rows: 40 });
        }
        writer.send({ type: 'ping', rid: 2 });
        await writer.next((f) => f.type === 'pong' && f.rid === 2, 30_000);
        const settle = Date.now() + 30_000;
        let head = writer.lastSeq;
        // The resizes are committed and fanned out before the head stops moving.
        for (;;) {
          await new Promise((r) => setTimeout(r, 200));
          if (writer.lastSeq === head || Date.now() > settle) break;
          head = writer.lastSeq;
        }
        await server.resetStats();
        const timesUs: number[] = [];
        for (let j = 0; j < params.joiners; j++) {
          const joiner = await RawBatonClient.connect(server.info.url, ownerToken);
          const rid = 10 + j;
          const snapshot = joiner.next((f) => f.type === 'snapshot', 30_000);
          const sentAt = process.hrtime.bigint();
          joiner.send({ type: 'subscribe', rid, sessionId, afterSeq: 0, readOnly: true });
          try {
            const { frame, at } = await snapshot;
            timesUs.push(Number(at - sentAt) / 1000);
            if (frame.seq !== head) {
              problems.push(`joiner ${j} got a snapshot at ${frame.seq}, not at the head ${head}`);
            }
          } catch (err) {
            problems.push(`joiner ${j}: ${(err as Error).message}`);
          }
          joiner.close();
        }
        const profile = await server.stats();
        writer.close();
        await api.deleteSession(sessionId);
        const t = summarizeUs(timesUs);
        const run: SystemRun = {
          system,
          connections: 1 + params.joiners,
          profile,
          figures: {
            'subscribe → snapshot p50 (ms)': t.p50.toFixed(2),
            'max (ms)': t.max.toFixed(2),
            joiners: String(timesUs.length),
            'events in the log': String(head),
          },
          problems,
          notes: [],
        };
        return run;
      }),
  };
}
