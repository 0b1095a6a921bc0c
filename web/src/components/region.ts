// A place's name in the page's language: the region profile's Chinese name where it has one;
// for a country without one (ROR names countries in English), the browser's own name of its
// ISO code (Intl.DisplayNames, offline); else the English name.
import type { RegionNamesFragment } from "../gql/graphql";
import type { Lang } from "../i18n";

export function countryName(lang: Lang, code: string): string | null {
  if (!/^[A-Z]{2}$/.test(code)) return null;
  try {
    return new Intl.DisplayNames([lang === "zh" ? "zh-CN" : "en"], { type: "region" }).of(code) ?? null;
  } catch {
    return null;
  }
}

export function regionName(lang: Lang, region: RegionNamesFragment): string {
  if (lang === "zh" && region.nameZh) return region.nameZh;
  if (lang === "zh" && region.kind === "COUNTRY") return countryName(lang, region.id) ?? region.nameEn;
  return region.nameEn;
}
