/**
 * Loaded before anything else (src/main.ts, and `--import` for the test runner): Node 24 reads a
 * package's package.json again for every module it loads from that package, to learn the module's
 * format, and deserialises the whole file each time. drizzle-orm's is 179 KB (an export map of ~1,000
 * subpaths) over the ~400 modules Spokes loads from it: 1.2 s of CPU per process on Node 24.21
 * (0.2 s on Node 20), paid by every `spokes` command and every test file. Its ES modules are `.js` files
 * of a `"type": "module"` package, so a relative `.js` import from one of them is resolved here, as
 * an ES module, without asking the package.json (measured: importing drizzle-orm/pg-core 1.37 s → 0.25 s).
 * Everything else resolves as Node does.
 */
import { registerHooks } from 'node:module';

/** Packages whose `.js` files are all ES modules and whose package.json is too large to read per module. */
const ESM_PACKAGES = ['/node_modules/drizzle-orm/'];

registerHooks({
  resolve(specifier, context, next) {
    const parent = context.parentURL;
    if (
      parent?.startsWith('file:') &&
      (specifier.startsWith('./') || specifier.startsWith('../')) &&
      specifier.endsWith('.js') &&
      parent.endsWith('.js') &&
      ESM_PACKAGES.some((p) => parent.includes(p))
    ) {
      return { url: new URL(specifier, parent).href, format: 'module', shortCircuit: true };
    }
    return next(specifier, context);
  },
});
