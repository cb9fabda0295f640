// Builds the UI into dist/ for the mockbank binary to embed and serve at /ui/.
//
// `npm run dev` serves it with hot reload and forwards the API to a running mockbank
// (MOCKBANK_URL, default https://127.0.0.1:8443). Sign in on the page with the admin token.
import { defineConfig } from 'vite';

// Node's `process` (no @types/node for one line).
declare const process: { env: Record<string, string | undefined> };

const target = process.env.MOCKBANK_URL ?? 'https://127.0.0.1:8443';
// mockbank refuses a foreign Origin; the dev server speaks for the page.
const api = { target, changeOrigin: true, secure: false, headers: { origin: target } };

export default defineConfig({
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    // One small script and one stylesheet: nothing to gain from splitting.
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: {
      '/admin': api,
      '/directory': api,
      '/ui/login': api,
      '/ui/logout': api,
    },
  },
});
