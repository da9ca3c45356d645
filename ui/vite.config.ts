/**
 * The browser apps, one Vite multi-page build: each entry is a folder of `ui/`
 * with an index.html, built to `ui/dist/<entry>/index.html`; shared, hashed
 * assets go to `ui/dist/assets/`, which the server serves at `/ui/assets/`.
 * Add an app (the calling widget, the agent pop-up page) by adding its folder
 * to `entries`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export const entries = ['admin', 'agent', 'widget'] as const;

export default defineConfig({
  root,
  base: '/ui/',
  plugins: [react()],
  // One Vite cache for the repository, not a node_modules folder inside ui/.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite', import.meta.url)),
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    rolldownOptions: {
      input: Object.fromEntries(entries.map((e) => [e, `${root}${e}/index.html`])),
      // A build that shares the CPU with a test run is slow for no fault of a plugin: no timing warnings.
      checks: { bundlerTimings: false },
    },
  },
});
