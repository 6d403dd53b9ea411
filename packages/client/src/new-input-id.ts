import { v7 } from 'uuid';

/**
 * A fresh input id: a UUID version 7 (RFC 9562), whose first 48 bits are the time in
 * milliseconds, and which the library keeps increasing within one millisecond.
 *
 * Time-ordered on purpose. The server keeps every input's id in a b-tree for its dedupe, and a
 * random id (version 4) lands on a random page of it: a commit of ten inputs then writes about
 * fourteen pages of it to the log, where ids that follow one another append to the same page or
 * two (docs/benchmarks.md, "Input ids in time order"). The 74 random bits keep ids unique across
 * devices. Only `crypto.getRandomValues` is needed, which browsers expose outside secure contexts
 * too (a page on plain http on a LAN).
 */
export function newInputId(): string {
  return v7();
}
