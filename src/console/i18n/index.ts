import { en, type MessageKey } from './en.js';
import { zh } from './zh.js';

export const LANGUAGES = ['en', 'zh'] as const;
export type Lang = (typeof LANGUAGES)[number];
export type { MessageKey };

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { en, zh };
export const LANG_COOKIE = 'ds_lang';

export const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

/**
 * The chosen language (cookie set by the switch), else the browser's Accept-Language, else English.
 * Tags are matched by their primary subtag (zh-CN, zh-TW, zh-Hans → zh; en-GB → en), highest q first.
 */
export function pickLang(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(cookie)) return cookie;
  const ranked = (acceptLanguage ?? '')
    .slice(0, 1000)
    .split(',')
    .map((item, i) => {
      const [tag = '', ...params] = item.trim().split(';');
      const q = Number(params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean) ?? 1);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((x) => x.lang).find(isLang) ?? 'en';
}

/** Whether the dictionaries have words for `key` (codes from the API may be newer than the console). */
export const hasMessage = (key: string): key is MessageKey => Object.hasOwn(en, key);

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** `t('call.mentions', { n: 3 })`; the result is plain text (templates escape it like any other text). */
export function translator(lang: Lang): Translate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => dict[key].replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m));
}
