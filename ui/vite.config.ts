import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Built into ui/dist, which tauri.conf.json embeds. Relative paths: served from tauri://localhost.
// Component styles go into the bundle's CSS file, never inline (the CSP allows only 'self').
export default defineConfig({
  plugins: [svelte()],
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  clearScreen: false,
});
