/**
 * A freshly initialised embedded database, kept as a compressed tarball so that
 * the first `spokes start` on an empty data directory skips PGlite's initdb
 * (≈3 s of WASM work) and loads the tarball instead (<1 s). It is built by
 * `npm install` (scripts/postinstall.ts), or on first use, per PGlite version.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The package does not export its package.json; read it from its install folder.
const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
const pgliteVersion: string = JSON.parse(readFileSync(join(pgliteEntry.slice(0, pgliteEntry.lastIndexOf('node_modules')), 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')).version;

export const templatePath = join(projectRoot, 'node_modules', '.cache', 'spokes', `pglite-${pgliteVersion}.tar.gz`);

/** True when `dir` holds no database yet. */
export function isEmptyDataDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** The template as a Blob for `PGlite.create({ loadDataDir })`, or undefined when it has not been built. */
export function readTemplate(): Blob | undefined {
  return existsSync(templatePath) ? new Blob([readFileSync(templatePath)]) : undefined;
}

/** Builds the template if missing. Written to a temporary name first, so a crash never leaves half a file. */
export async function ensureTemplate(): Promise<string> {
  if (existsSync(templatePath)) return templatePath;
  const db = await PGlite.create();
  try {
    const tar = await db.dumpDataDir('gzip');
    mkdirSync(dirname(templatePath), { recursive: true });
    const tmp = `${templatePath}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await tar.arrayBuffer()));
    renameSync(tmp, templatePath);
  } finally {
    await db.close();
  }
  return templatePath;
}
