import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where scripts/pack.sh puts the tarballs (tests/pack/dist → the repository root). */
export const PACK_DIR =
  process.env['BATON_PACK_DIR'] ??
  fileURLToPath(new URL('../../../artifacts/packages', import.meta.url));

export interface Tarballs {
  baton: string;
  protocol: string;
  seal: string;
  client: string;
  react: string;
}

/** The five tarballs of one `scripts/pack.sh` run; a missing one says how to make it. */
export function findTarballs(): Tarballs {
  const files = existsSync(PACK_DIR) ? readdirSync(PACK_DIR) : [];
  const one = (prefix: string): string => {
    const match = files.filter((f) => new RegExp(`^${prefix}-\\d+\\.\\d+\\.\\d+\\.tgz$`).test(f));
    if (match.length !== 1)
      throw new Error(
        `expected one ${prefix}-<version>.tgz in ${PACK_DIR}, found ${match.length}; ` +
          `run 'bash scripts/pack.sh' first (npm run test:pack does)`,
      );
    return join(PACK_DIR, match[0]!);
  };
  return {
    baton: one('baton-live'),
    protocol: one('baton-protocol'),
    seal: one('baton-seal'),
    client: one('baton-client'),
    react: one('baton-react'),
  };
}
