/**
 * The text every system carries: `<msgId>|<submitted at, µs>|` padded to a fixed size, so every
 * system moves the same bytes and any receiver can compute the latency without asking anyone.
 * A message id is `<submitter index>.<n>`, n counting from 1 per submitter.
 */
export function makeText(msgId: string, submittedUs: number, bytes: number): string {
  const head = `${msgId}|${submittedUs}|`;
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}

export interface ParsedText {
  msgId: string;
  submitter: number;
  n: number;
  submittedUs: number;
}

/** Reads back what `makeText` wrote; undefined for text that is not a benchmark message. */
export function parseText(text: string): ParsedText | undefined {
  const bar = text.indexOf('|');
  const bar2 = text.indexOf('|', bar + 1);
  if (bar < 0 || bar2 < 0) return undefined;
  const msgId = text.slice(0, bar);
  const dot = msgId.indexOf('.');
  const submitter = Number(msgId.slice(0, dot));
  const n = Number(msgId.slice(dot + 1));
  const submittedUs = Number(text.slice(bar + 1, bar2));
  if (dot < 0 || !Number.isInteger(submitter) || !Number.isInteger(n)) return undefined;
  return { msgId, submitter, n, submittedUs };
}
