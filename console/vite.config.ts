/**
 * Builds the console (console/src) into console/dist, served by the service at /console/
 * (api/consoleRoutes.ts): `npm run console:build` (`vite build console`: this directory is the root). Hashed assets under /console/assets/, no
 * inline scripts or styles (the console's CSP allows only its own files).
 */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
