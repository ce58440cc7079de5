import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The api serves dist/ at "/"; /v1 is proxied to a running server in `npm run dev`.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false, modulePreload: { polyfill: false } },
  server: { proxy: { '/v1': 'http://localhost:8080' } },
  test: { environment: 'node', include: ['src/**/*.test.{ts,tsx}'] },
});
