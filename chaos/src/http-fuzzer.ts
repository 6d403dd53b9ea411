import { connect, type Socket } from 'node:net';
import { HttpFuzzRequests, type HttpFuzzCategory } from './fuzz-http.js';

export interface HttpFuzzReport {
  sent: number;
  /** Answers by status class ("4xx", "2xx", …) and `none` for a connection closed unanswered. */
  answers: Record<string, number>;
  /** Requests answered 5xx: a handler failed on bad input instead of refusing it. */
  serverErrors: string[];
  /** Requests with no answer within the timeout, while the connection stayed open. */
  hung: string[];
  /** Requests whose connection was refused: the server was not listening. */
  refused: number;
  slowBodies: number;
  /** Slowloris connections opened, and how many of them the server closed before the end. */
  slowloris: { opened: number; closedByServer: number };
  byCategory: Partial<Record<HttpFuzzCategory, number>>;
}

export interface HttpFuzzOptions {
  host: string;
  port: number;
  token: string;
  seed: number;
  maxBodyBytes: number;
  requests: number;
  /** Requests in flight at once. */
  window: number;
  /** Connections that send their headers a byte at a time, held open for the whole run. */
  slowloris: number;
  /** Requests whose body trickles in over a few seconds. */
  slowBodies: number;
  /** An answer must arrive within this (a stuck handler shows up as `hung`). */
  answerTimeoutMs: number;
  deadlineMs: number;
}

interface Answer {
  status: string;
  refused: boolean;
}

/** Sends `bytes`, half-closing the socket after them when `end`, and reads the status line. */
function exchange(
  options: HttpFuzzOptions,
  write: (socket: Socket) => Promise<void>,
  timeoutMs: number,
): Promise<Answer | 'timeout'> {
  return new Promise((resolve) => {
    const socket = connect(options.port, options.host);
    let head = '';
    let settled = false;
    const finish = (answer: Answer | 'timeout') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => {
      write(socket).catch(() => undefined);
    });
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) finish({ status: m[1] ?? '', refused: false });
      else if (head.length > 12) finish({ status: 'garbage', refused: false });
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish({ status: 'none', refused: err.code === 'ECONNREFUSED' }),
    );
    socket.on('close', () => finish({ status: 'none', refused: false }));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The HTTP fuzzer, beside the WebSocket one: hostile requests a window at a time, slow bodies,
 * and slowloris connections held open for the whole run. It counts answers; the scenario then
 * checks that the server stayed up and the honest histories still check out.
 */
export async function runHttpFuzzer(options: HttpFuzzOptions): Promise<HttpFuzzReport> {
  const gen = new HttpFuzzRequests(options.seed, options.token, options.maxBodyBytes);
  const report: HttpFuzzReport = {
    sent: 0,
    answers: {},
    serverErrors: [],
    hung: [],
    refused: 0,
    slowBodies: 0,
    slowloris: { opened: 0, closedByServer: 0 },
    byCategory: {},
  };
  const deadline = Date.now() + options.deadlineMs;
  let stopped = false;

  const record = (line: string, answer: Answer | 'timeout') => {
    if (answer === 'timeout') {
      report.hung.push(line);
      return;
    }
    if (answer.refused) {
      report.refused++;
      return;
    }
    const key = /^\d{3}$/.test(answer.status) ? `${answer.status[0]}xx` : answer.status;
    report.answers[key] = (report.answers[key] ?? 0) + 1;
    if (key === '5xx') report.serverErrors.push(`${answer.status} for ${line}`);
  };

  // Slowloris: request lines and headers one byte at a time, never finished, held until the end.
  const loris = Array.from({ length: options.slowloris }, async (_, i) => {
    const socket = connect(options.port, options.host);
    socket.on('error', () => {});
    let closedByServer = false;
    socket.on('close', () => (closedByServer = !stopped));
    await new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('error', () => resolve());
    });
    report.slowloris.opened++;
    const text = `GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-${i}: `;
    let n = 0;
    while (!stopped && !socket.destroyed) {
      socket.write(n < text.length ? (text[n] ?? 'a') : 'a');
      n++;
      await sleep(200);
    }
    if (closedByServer) report.slowloris.closedByServer++;
    socket.destroy();
  });

  // Slow bodies: a valid-looking request whose body trickles in, ten bytes a second.
  const slow = Array.from({ length: options.slowBodies }, async () => {
    const body = '{"name":"slow body that never becomes valid json';
    const answer = await exchange(
      options,
      async (socket) => {
        socket.write(
          `POST /api/devices HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${options.token}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        );
        for (const ch of body) {
          if (socket.destroyed) return;
          socket.write(ch);
          await sleep(100);
        }
      },
      options.answerTimeoutMs + body.length * 100,
    );
    report.slowBodies++;
    record('POST /api/devices with a slow body', answer);
  });

  const workers = Array.from({ length: options.window }, async () => {
    while (report.sent < options.requests && Date.now() < deadline) {
      const request = gen.next();
      report.sent++;
      report.byCategory[request.category] = (report.byCategory[request.category] ?? 0) + 1;
      const answer = await exchange(
        options,
        async (socket) => {
          await new Promise<void>((resolve) => socket.write(request.bytes, () => resolve()));
          if (request.truncated) socket.end();
        },
        options.answerTimeoutMs,
      );
      record(request.line, answer);
      // While the server is down (killed on purpose, or crashed) do not spin on refusals.
      if (answer !== 'timeout' && answer.refused) await sleep(100);
    }
  });
  await Promise.all([...workers, ...slow]);
  stopped = true;
  await Promise.all(loris);
  return report;
}
