/**
 * A ready embedded database — initialised, migrated, with the job queue's
 * schema installed — kept as a compressed tarball, so that the first
 * `spokes start` on an empty data directory loads it (<1 s) instead of running
 * PGlite's initdb and every migration (≈3 s of WASM work). `npm install` builds
 * it (scripts/postinstall.ts). Its file name carries a hash of everything that
 * shapes it, so a stale template is never used: without a matching one, Spokes
 * simply builds the database the slow way.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = join(here, '..', '..');
const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  // Some packages do not export their package.json; read it from the install folder.
  const entry = require.resolve(name);
  const root = entry.slice(0, entry.lastIndexOf('node_modules') + 'node_modules'.length);
  return JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')).version;
}

function templateKey(): string {
  const hash = createHash('sha256');
  hash.update(`pglite@${packageVersion('@electric-sql/pglite')} pg-boss@${packageVersion('pg-boss')}`);
  const migrations = join(here, 'migrations');
  for (const f of readdirSync(migrations)
    .filter((f) => f.endsWith('.sql'))
    .sort())
    hash.update(f).update(readFileSync(join(migrations, f)));
  return hash.digest('hex').slice(0, 16);
}

export const templatePath = join(projectRoot, 'node_modules', '.cache', 'spokes', `pglite-template-${templateKey()}.tar`);

/** True when `dir` holds no database yet. */
export function isEmptyDataDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** The template as a Blob for `PGlite.create({ loadDataDir })`, or undefined when none matches this version. */
export function readTemplate(): Blob | undefined {
  return existsSync(templatePath) ? new Blob([readFileSync(templatePath)]) : undefined;
}

/**
 * Builds the template if missing: a fresh in-memory PGlite, `prepare` (migrations,
 * queue schema), then a dump. Written under a temporary name first, so a crash
 * never leaves half a file.
 */
export async function buildTemplate(prepare: (client: PGlite) => Promise<void>): Promise<string> {
  if (existsSync(templatePath)) return templatePath;
  const client = await PGlite.create();
  try {
    await prepare(client);
    // Uncompressed: loading skips gunzip (~0.3 s of a first start); it is a cache, ~40 MB, one at a time.
    const tar = await client.dumpDataDir('none');
    mkdirSync(dirname(templatePath), { recursive: true });
    const tmp = `${templatePath}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await tar.arrayBuffer()));
    renameSync(tmp, templatePath);
    // Templates of other versions are stale: only the current one is ever read.
    for (const f of readdirSync(dirname(templatePath))) {
      if (f.startsWith('pglite-template-') && join(dirname(templatePath), f) !== templatePath) rmSync(join(dirname(templatePath), f), { force: true });
    }
  } finally {
    if (!client.closed) await client.close();
  }
  return templatePath;
}
