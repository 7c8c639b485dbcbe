import { negotiate } from '@fastify/accept-negotiator';
import { en, type MessageKey } from './en.js';
import { zh } from './zh.js';

export const LANGUAGES = ['en', 'zh'] as const;
export type Lang = (typeof LANGUAGES)[number];
export type { MessageKey };

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { en, zh };
export const LANG_COOKIE = 'ds_lang';

export const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

/** The chosen language (cookie set by the switch), else the browser's Accept-Language, else English. */
export function pickLang(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(cookie)) return cookie;
  const negotiated = acceptLanguage ? negotiate(acceptLanguage, [...LANGUAGES]) : null;
  return isLang(negotiated) ? negotiated : 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** `t('call.mentions', { n: 3 })`; the result is plain text (templates escape it like any other text). */
export function translator(lang: Lang): Translate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => dict[key].replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m));
}
