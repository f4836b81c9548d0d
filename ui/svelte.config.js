// Svelte 5 in runes mode everywhere. TypeScript in components needs no preprocessor (Svelte
// strips the types itself).
export default {
  compilerOptions: { runes: true },
};
