// The current language and its strings. Chinese first; the choice is remembered.
import { zhCN, type Strings } from './zh-CN';
import { en } from './en';

export type Lang = 'zh-CN' | 'en';
const tables: Record<Lang, Strings> = { 'zh-CN': zhCN, en };

let current: Lang = localStorage.getItem('wardgis.lang') === 'en' ? 'en' : 'zh-CN';

export function lang(): Lang {
  return current;
}

export function t(): Strings {
  return tables[current];
}

export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem('wardgis.lang', l);
  document.documentElement.lang = l;
}

/** Picks the Chinese or English form of a catalog label. */
export function pick(zh: string, enText: string): string {
  return current === 'zh-CN' ? zh : enText;
}
