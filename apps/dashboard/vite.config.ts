import { defineConfig } from 'vite';

// Served by the server itself under /dashboard/ (same origin as the API).
export default defineConfig({
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
});
