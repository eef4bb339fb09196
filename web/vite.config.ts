/**
 * The web app's build: Vite 8 (Rolldown + Oxc) with Preact's automatic JSX runtime. The output in
 * web/dist is what `reversa serve` and CloudFront serve under a CSP without 'unsafe-inline': one
 * module script and one stylesheet file, no inline code, nothing from another origin.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: WEB_DIR,
  base: '/',
  // No dotenv files, no public dir: the app has no build-time secrets and no unhashed assets.
  envDir: false,
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Never inline assets as data: URIs into CSS or JS (the CSP allows data: for images only), and
    // never inline the stylesheet: style-src 'self' refuses <style>.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    sourcemap: true,
    reportCompressedSize: false,
  },
});
