// Builds the viewer into dist/: app.js and app.css (esbuild bundles OpenLayers and proj4 from
// node_modules; nothing is loaded from a CDN), index.html, config.js and the county outlines.
//   node build.mjs            one build
//   node build.mjs --watch    rebuild on change (development)
import { build, context } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const watch = process.argv.includes('--watch');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

function copyStatic() {
  copyFileSync(join(here, 'src', 'index.html'), join(dist, 'index.html'));
  // A deployment's own settings (basemap key, API root) live in web/config.local.js, which is not
  // committed; without it the documented template is used.
  const local = join(here, 'config.local.js');
  copyFileSync(existsSync(local) ? local : join(here, 'public', 'config.js'), join(dist, 'config.js'));
  const counties = join(here, '..', 'fixtures', 'counties.geojson');
  if (!existsSync(counties)) throw new Error(`missing ${counties}`);
  copyFileSync(counties, join(dist, 'counties.geojson'));
}

const options = {
  entryPoints: { app: join(here, 'src', 'main.js') },
  outdir: dist,
  bundle: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  legalComments: 'linked',
  loader: { '.css': 'css' },
  logLevel: 'info',
};

copyStatic();
if (watch) {
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
