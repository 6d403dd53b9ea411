import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Text types worth compressing; the server (packages/server/src/http/static-files.ts) serves
 * copies only for these. Source maps are left out: only developer tools fetch them.
 */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.txt']);
/** Smaller files gain nothing worth a second request path (headers outweigh the savings). */
const MIN_BYTES = 1024;

/**
 * Writes `file.br` (quality 11) and `file.gz` (level 9) beside every text file of the build,
 * public/ included, once the bundle is on disk. A copy that is not smaller is not written, so
 * the server falls back to the file itself. Compressing at build time lets the slowest, best
 * settings be used once instead of on every request.
 */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'baton:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true }))
        .map((name) => join(outDir, name))
        .filter((path) => COMPRESSIBLE.has(extname(path)));
      await Promise.all(files.map(compressOne));
    },
  };
}

async function compressOne(path: string): Promise<void> {
  if ((await stat(path)).size < MIN_BYTES) return;
  const data = await readFile(path);
  const [br, gz] = await Promise.all([
    brotli(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
    gzipAsync(data, { level: 9 }),
  ]);
  if (br.length < data.length) await writeFile(`${path}.br`, br);
  if (gz.length < data.length) await writeFile(`${path}.gz`, gz);
}
