// Builds the installable package's contents from the workspace's build output (run `npm run build`
// first): dist/ holds the CLI with the server, the client and the protocol bundled in, web/ the
// built web app. `npm pack` in this folder then packs dist/, web/ and README.md.
//
// Why a bundle: the @baton/* workspace packages are not on the registry, so one tarball must carry
// their code. Everything with its own life on the registry stays a real dependency (ws, zod,
// @xterm/*), and the native modules (better-sqlite3, node-pty) are optionalDependencies, loaded
// only by `baton serve`, so a machine that only connects needs no compiler.
//
// Invariants the output keeps, which the server's code relies on:
// - Every output file sits directly in dist/: the server starts its worker threads with
//   new URL('./screen-worker.js', import.meta.url) and './wal-checkpoint-worker.js', so those two
//   are entry points of their own next to the chunk that starts them.
// - dist/../package.json is this package's package.json, where the server reads its version.
// - `baton serve` looks for the web app at dist/../web (see packages/cli/src/commands/serve.ts).
import { build } from 'esbuild';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));

const entries = {
  baton: 'packages/cli/dist/main.js',
  'screen-worker': 'packages/server/dist/projections/terminal/screen-worker.js',
  'wal-checkpoint-worker': 'packages/server/dist/storage/wal-checkpoint-worker.js',
};
const web = join(root, 'apps/web/dist');
for (const file of [...Object.values(entries), 'apps/web/dist/index.html']) {
  if (!existsSync(join(root, file))) {
    console.error(`bundle: ${file} is missing; run 'npm run build' at the repository root first`);
    process.exit(1);
  }
}

rmSync(join(here, 'dist'), { recursive: true, force: true });
rmSync(join(here, 'web'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: join(here, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  plugins: [declaredDependenciesOnly()],
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});

/**
 * Real dependencies of this package stay imports, resolved from its node_modules at run time; the
 * @baton/* workspace packages are bundled. Any other package is an error, so a dependency added to
 * a workspace package cannot be bundled by accident or go missing from this package.json.
 */
function declaredDependenciesOnly() {
  const declared = new Set([
    ...Object.keys(pkg.dependencies),
    ...Object.keys(pkg.optionalDependencies),
  ]);
  const builtins = new Set(builtinModules);
  return {
    name: 'declared-dependencies-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const parts = args.path.split('/');
        const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        if (args.path.startsWith('node:') || builtins.has(name)) return { external: true };
        if (name.startsWith('@baton/')) return undefined;
        if (declared.has(name)) return { path: args.path, external: true };
        return {
          errors: [
            {
              text: `${args.path} (imported by ${args.importer}) is not a dependency of ${pkg.name}: add it to packages/baton/package.json`,
            },
          ],
        };
      });
    },
  };
}

cpSync(web, join(here, 'web'), { recursive: true });
console.log(`bundle: ${pkg.name}@${pkg.version} in ${here}/dist and ${here}/web`);
