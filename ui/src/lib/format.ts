// How a feature's values read on the page, in the current language: enum values by their
// labels, booleans as yes/no, numbers with the field's unit in that language (`unit_en` in
// English, so "Ports 4", not "Ports 4 个"). Each value says whether it is a number, date or
// code (never broken across lines) or free text (wraps at word and character boundaries).
import type { AttributeValue } from '../generated/AttributeValue';
import type { FieldDef } from '../generated/FieldDef';
import type { Lang, Strings } from './i18n';

/** `whole`: numbers, dates, codes and ids, shown unbroken; `text`: wraps where it must. */
export type ValueKind = 'whole' | 'text';

export interface ShownValue {
  text: string;
  kind: ValueKind;
}

/** The field's unit in `lang`, or `null` where the language writes none; English never
 *  shows a Chinese unit (core's `FieldDef::unit_in` keeps the same rule). */
export function unitIn(field: FieldDef, lang: Lang): string | null {
  const u = lang === 'zh-CN' ? field.unit : (field.unit_en ?? (field.unit && /\p{Script=Han}/u.test(field.unit) ? null : field.unit));
  return u ? u : null;
}

/** A value with no spaces that reads as one token: digits, codes, coordinates, ids. */
function looksWhole(s: string): boolean {
  return s.length <= 40 && !/\s/.test(s) && /^[\p{N}\p{P}\p{S}A-Za-z]+$/u.test(s);
}

/** The empty-value text, or the text of a value without a catalog field (name, source). */
export function plainValue(v: AttributeValue | undefined, t: Strings): ShownValue {
  if (v === null || v === undefined || v === '') return { text: t.empty, kind: 'whole' };
  const s = String(v);
  return { text: s, kind: typeof v === 'number' || looksWhole(s) ? 'whole' : 'text' };
}

/** A value of a catalog field, labelled and with its unit, in `lang`. */
export function fieldValue(field: FieldDef, v: AttributeValue | undefined, lang: Lang, t: Strings): ShownValue {
  if (v === null || v === undefined || v === '') return { text: t.empty, kind: 'whole' };
  if (field.type === 'boolean') return { text: v ? t.yes : t.no, kind: 'whole' };
  if (field.type === 'enum') {
    const e = field.values.find((x) => x.value === v);
    return { text: e ? (lang === 'zh-CN' ? e.zh : e.en) : String(v), kind: 'text' };
  }
  if (field.type === 'integer' || field.type === 'real') {
    const unit = unitIn(field, lang);
    return { text: unit ? `${String(v)} ${unit}` : String(v), kind: 'whole' };
  }
  return plainValue(v, t);
}
