import { defineConfig } from 'vite';

// Built into ui/dist, which tauri.conf.json embeds. Relative paths: served from tauri://localhost.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  clearScreen: false,
});
