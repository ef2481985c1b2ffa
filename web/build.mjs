// Bundles the client into the server's wwwroot: assets/leakwatch.js (the library, one self-contained ES module)
// and assets/app.js (the page, which imports the library). Deterministic: the same sources and lockfile give the
// same bytes, which test/bundle.test.js checks against the committed files.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const outDir = path.resolve(here, '../src/Leakwatch.Server/wwwroot/assets');

const common = {
  absWorkingDir: here,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['import', 'browser'],
  target: 'es2022',
  loader: { '.txt': 'text' },
  minify: true,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
};

// The page's `import … from 'leakwatch'` becomes a relative import of the library bundle beside it.
const libraryBeside = {
  name: 'library-beside',
  setup(build) {
    build.onResolve({ filter: /^leakwatch$/ }, () => ({ path: './leakwatch.js', external: true }));
  },
};

/** Builds both bundles; with write=false returns [{ path, contents }] instead of writing them. */
export async function build({ write = true } = {}) {
  const results = await Promise.all([
    esbuild.build({ ...common, entryPoints: ['src/index.js'], outfile: path.join(outDir, 'leakwatch.js'), write }),
    esbuild.build({ ...common, entryPoints: ['src/app.js'], outfile: path.join(outDir, 'app.js'), write, plugins: [libraryBeside] }),
  ]);
  return write ? [] : results.flatMap((r) => r.outputFiles.map((f) => ({ path: f.path, contents: f.contents })));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build();
}
