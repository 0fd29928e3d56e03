import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type ResolvedConfig } from 'vite';

// The dashboard lives in ui/ and is built into ui/dist, which the API server
// serves in production. In development Vite serves the UI and forwards /api to
// the API process, so the session cookie stays same-origin in both setups.
const uiRoot = fileURLToPath(new URL('./ui', import.meta.url));
const apiTarget = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

/** What a first visit may download before the page works: the entry chunk and its static imports. */
const INITIAL_JS_BUDGET_KB = 250;

/**
 * Prints the gzipped size of the initial JavaScript (the entry chunk plus every chunk it imports
 * statically; lazy pages and the chart library are not part of it) and fails the build over budget.
 */
function initialJsSize(): Plugin {
  let logger: ResolvedConfig['logger'] | undefined;
  return {
    name: 'initial-js-size',
    apply: 'build',
    configResolved(config) {
      logger = config.logger;
    },
    generateBundle(_options, bundle) {
      const chunks = new Map(Object.values(bundle).flatMap((file) => (file.type === 'chunk' ? [[file.fileName, file] as const] : [])));
      const initial = new Set<string>();
      const visit = (fileName: string) => {
        if (initial.has(fileName)) return;
        initial.add(fileName);
        for (const imported of chunks.get(fileName)?.imports ?? []) visit(imported);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
      const gzipKb = (fileName: string) => gzipSync(chunks.get(fileName)!.code).length / 1024;
      const initialKb = [...initial].reduce((sum, fileName) => sum + gzipKb(fileName), 0);
      const lazyKb = [...chunks.keys()].filter((f) => !initial.has(f)).reduce((sum, f) => sum + gzipKb(f), 0);
      const line = `initial JS: ${initialKb.toFixed(1)} KB gzipped (budget ${INITIAL_JS_BUDGET_KB} KB; ${initial.size} chunk${initial.size === 1 ? '' : 's'}), loaded on demand: ${lazyKb.toFixed(1)} KB gzipped`;
      // At info level: `npm run build` shows it, `vite build --logLevel warn` (npm start) stays quiet.
      logger?.info(line);
      if (initialKb > INITIAL_JS_BUDGET_KB) this.error(`${line}: over budget. Lazy-load the new code (see the route \`lazy\` in ui/src/router.tsx).`);
    },
  };
}

export default defineConfig({
  root: uiRoot,
  plugins: [react(), initialJsSize()],
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
