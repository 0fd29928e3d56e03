import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard lives in ui/ and is built into ui/dist, which the API server
// serves in production. In development Vite serves the UI and forwards /api to
// the API process, so the session cookie stays same-origin in both setups.
const uiRoot = fileURLToPath(new URL('./ui', import.meta.url));
const apiTarget = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig({
  root: uiRoot,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./ui/dist', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
});
