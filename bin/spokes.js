#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=1024
// The `spokes` executable: Node 24 runs the TypeScript sources directly. An older Node stops in the check
// with one line; the sources are imported only after it (a static import would be loaded, and fail, first).
import '../scripts/require-node.mjs';
await import('../src/main.ts');
