#!/usr/bin/env node
/**
 * The `spokes` command line: `node src/main.ts <command>` or `npx spokes <command>`.
 * Node's compile cache is switched on before anything else loads, so a start
 * does not strip and compile the same few hundred modules every time (≈1 s),
 * and drizzle-orm's modules are resolved without re-reading its package.json
 * for each (./module-hooks.ts, ≈1.1 s).
 */
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';
import './module-hooks.ts';

enableCompileCache(fileURLToPath(new URL('../node_modules/.cache/spokes/compile-cache', import.meta.url)));
await import('./cli.ts');
