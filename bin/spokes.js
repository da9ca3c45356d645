#!/usr/bin/env node
// The `spokes` executable: Node 24 runs the TypeScript sources directly. An older Node stops in the check
// with one line; the sources are imported only after it (a static import would be loaded, and fail, first).
import '../scripts/require-node.mjs';
await import('../src/main.ts');
