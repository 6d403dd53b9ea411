import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { asObject, type JsonObject } from './json-fields.js';

/**
 * The JSON objects of a JSON Lines file, in order, reading at most `maxBytes` from its start.
 * A transcript is written by another program while it runs, so any line may be malformed or cut
 * off: a line that is not a JSON object is skipped, never an error. A file that cannot be
 * opened or read rejects (the caller decides whether to skip it or to say why).
 */
export async function* readJsonLines(
  path: string,
  maxBytes: number,
): AsyncGenerator<JsonObject, void, undefined> {
  const stream = createReadStream(path, { encoding: 'utf8', start: 0, end: maxBytes - 1 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.length < 2 || line.charCodeAt(0) !== 0x7b) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      const object = asObject(value);
      if (object) yield object;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
