// The two languages and their strings. Chinese first; the choice is remembered. The current
// language itself lives in the store (store.svelte.ts), so that every component follows it.
import { zhCN, type Strings } from './zh-CN';
import { en } from './en';

export type Lang = 'zh-CN' | 'en';
export type { Strings };

export const tables: Record<Lang, Strings> = { 'zh-CN': zhCN, en };

const KEY = 'wardgis.lang';

/** The language chosen last time, else Chinese. */
export function rememberedLang(): Lang {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

export function rememberLang(l: Lang): void {
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}
