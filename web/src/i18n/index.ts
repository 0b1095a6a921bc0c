// Chinese and English labels. The tables are JSON (tests read them too); zh must have every
// key en has, which the type below checks at build time.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import en from "./en.json";
import zhTable from "./zh.json";

export type Lang = "en" | "zh";
export type Key = keyof typeof en;

const zh: Record<Key, string> = zhTable;
const tables: Record<Lang, Record<Key, string>> = { en, zh };
const STORAGE = "talentmap.lang";

export function initialLang(): Lang {
  const stored = localStorage.getItem(STORAGE);
  if (stored === "en" || stored === "zh") return stored;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function storeLang(lang: Lang): void {
  localStorage.setItem(STORAGE, lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

export type Translate = (key: Key, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const table = tables[lang];
  return (key, values) => {
    let text = table[key];
    if (values) {
      for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, String(value));
    }
    return text;
  };
}

export interface I18n {
  lang: Lang;
  t: Translate;
  setLang: (lang: Lang) => void;
}

export const I18nContext = createContext<I18n>({ lang: "en", t: translator("en"), setLang: () => undefined });

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** Numbers in the language's format. */
export function formatNumber(lang: Lang, value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en").format(value);
}

/** A name in both scripts where the graph has both: [the reader's script, the other or null]. */
export function bilingual(lang: Lang, name: string, others: (string | null | undefined)[] = []): [string, string | null] {
  const hanzi = /[\u3400-\u9fff]/;
  const names = [name, ...others].filter((n): n is string => Boolean(n));
  const zhName = names.find((n) => hanzi.test(n)) ?? null;
  const latin = names.find((n) => !hanzi.test(n)) ?? null;
  const [first, second] = lang === "zh" ? [zhName, latin] : [latin, zhName];
  return first ? [first, second] : [second ?? name, null];
}

/** A date-time (ISO) in the language's format, in the reader's time zone. */
export function formatDateTime(lang: Lang, value: string | null | undefined): string {
  if (!value) return "–";
  return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en", { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}
