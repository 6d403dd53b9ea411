/**
 * Accept-Encoding negotiation for the precompressed web app (RFC 9110 §12.5.3). Never throws:
 * a header that is too long or makes no sense means "identity", which every client accepts.
 */

/** The content codings baton serves precompressed files in, best first on equal weight. */
export const CONTENT_CODINGS = ['br', 'gzip'] as const;
export type ContentCoding = (typeof CONTENT_CODINGS)[number];

/** File suffix of each coding's precompressed copy (`index-abc.js.br`). */
export const CODING_SUFFIX: Record<ContentCoding, string> = { br: '.br', gzip: '.gz' };

/** Longer headers are not read (real browsers send under 100 characters): identity is served. */
const MAX_HEADER_CHARS = 1024;
/** At most this many codings are read from one header. */
const MAX_ENTRIES = 32;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The coding to answer with, among `available` (those with a precompressed copy), or undefined
 * for identity. The highest q wins; on a tie `CONTENT_CODINGS` order decides. A coding with q=0
 * is refused; `*` weighs every coding not named; `x-gzip` is gzip. An entry with a malformed
 * q-value is skipped, not the whole header.
 */
export function negotiateEncoding(
  header: string | string[] | undefined,
  available: readonly ContentCoding[],
): ContentCoding | undefined {
  if (available.length === 0 || header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.length > MAX_HEADER_CHARS) return undefined;
  const weights = new Map<string, number>();
  for (const entry of value.split(',').slice(0, MAX_ENTRIES)) {
    const [rawName = '', ...params] = entry.split(';');
    const name = rawName.trim().toLowerCase();
    if (!TOKEN.test(name)) continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const [key = '', raw = ''] = param.split('=', 2).map((s) => s.trim());
      if (key.toLowerCase() !== 'q') continue;
      if (!QVALUE.test(raw)) valid = false;
      else q = Number(raw);
    }
    if (!valid) continue;
    const coding = name === 'x-gzip' ? 'gzip' : name;
    // A coding named twice keeps its first weight (the header is not a place to change one's mind).
    if (!weights.has(coding)) weights.set(coding, q);
  }
  const star = weights.get('*') ?? 0;
  let best: ContentCoding | undefined;
  let bestQ = 0;
  for (const coding of CONTENT_CODINGS) {
    if (!available.includes(coding)) continue;
    const q = weights.get(coding) ?? star;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}
