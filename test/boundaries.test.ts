/**
 * The folder boundaries of docs/architecture.md, checked by scanning every
 * import (static, dynamic and type-only) of the source tree:
 * - nothing outside `src/connectors/<slug>/` imports its internals: the registry
 *   (`src/platform/registry.ts`) imports its `index.ts`, and anyone may import
 *   its wire types (`wire.ts`), which the UI shares with the server;
 * - `src/` reaches the emulators (`sandbox/`) only through the sandbox registry
 *   (`src/sandbox/`), and loads the registry at run time only where it starts
 *   the emulators (sandbox mode): everywhere else a type-only import;
 * - `src/db/` imports no connector and no registry (storage knows no connector);
 * - the emulators import nothing from `src/`;
 * - the browser apps (`ui/admin`, `ui/agent`, `ui/widget`) share code only
 *   through `ui/shared/`, and import from `src/` only connectors' wire types.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
  dynamic: boolean;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path.split(sep).join('/'));
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4] ?? m[5]!;
    if (!spec.startsWith('.')) continue;
    const to = normalize(join(dirname(file), spec))
      .split(sep)
      .join('/');
    out.push({ from: file, to, typeOnly: !!m[2], dynamic: !!m[4] });
  }
  return out;
}

const all = ['src', 'sandbox', 'ui'].flatMap(sources).flatMap(importsOf);
const show = (list: Import[]) => list.map((i) => `${i.from} → ${i.to}${i.typeOnly ? ' (type)' : ''}`).join('\n');
const connectorOf = (path: string) => /^src\/connectors\/([^/]+)\//.exec(path)?.[1];

describe('Folder boundaries (docs/architecture.md)', () => {
  it('finds the imports it checks', () => {
    assert.ok(all.length > 500, `${all.length} imports`);
    assert.ok(all.some((i) => i.from === 'src/platform/registry.ts' && i.to === 'src/connectors/telephony/index.ts'));
  });

  it("nothing outside a connector's folder imports its internals", () => {
    const leaks = all.filter((i) => {
      const slug = connectorOf(i.to);
      if (!slug || connectorOf(i.from) === slug) return false;
      if (i.to === `src/connectors/${slug}/wire.ts`) return false;
      return !(i.from === 'src/platform/registry.ts' && i.to === `src/connectors/${slug}/index.ts`);
    });
    assert.equal(show(leaks), '');
  });

  it('src/ reaches the emulators only through the sandbox registry, loaded in sandbox mode', () => {
    const direct = all.filter((i) => i.from.startsWith('src/') && i.to.startsWith('sandbox/') && !i.from.startsWith('src/sandbox/'));
    assert.equal(show(direct), '');
    // A value import of the registry loads every emulator: only where they are started, and only when they are.
    const loaded = all.filter(
      (i) => i.from.startsWith('src/') && !i.from.startsWith('src/sandbox/') && i.to === 'src/sandbox/sandboxes.ts' && !i.typeOnly && !i.dynamic,
    );
    assert.equal(show(loaded), '');
  });

  it('src/db/ imports no connector and no registry', () => {
    const leaks = all.filter((i) => i.from.startsWith('src/db/') && (i.to.startsWith('src/connectors/') || i.to.startsWith('src/platform/')));
    assert.equal(show(leaks), '');
  });

  it('the emulators import nothing from src/', () => {
    assert.equal(show(all.filter((i) => i.from.startsWith('sandbox/') && i.to.startsWith('src/'))), '');
  });

  it('the browser apps share code only through ui/shared/, and take only wire types from src/', () => {
    const app = (path: string) => /^ui\/([^/]+)\//.exec(path)?.[1];
    const leaks = all.filter((i) => {
      if (!i.from.startsWith('ui/')) return false;
      if (i.to.startsWith('src/')) return !/^src\/(connectors\/[^/]+\/wire|platform\/wire)\.ts$/.test(i.to);
      const from = app(i.from);
      const to = app(i.to);
      return !!to && to !== 'shared' && to !== from;
    });
    assert.equal(show(leaks), '');
  });
});
