// A place's name in the page's language: the region profile's Chinese name where it has one;
// for a country without one (ROR names countries in English), the browser's own name of its
// ISO code (Intl.DisplayNames, offline); else the English name.
import { MapRegionsDocument, type RegionNamesFragment } from "../gql/graphql";
import type { Lang } from "../i18n";
import { useQuery } from "../query";

/** The home city: the region the map, heat, chain, cooperation and case views start from. */
export const HOME = "cn/suzhou";

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

/** A region picker's places by name (the home city, its districts, China, the US, the one
 * asked for), and the name of the one asked for (the map's and the heat view's). */
export function useRegions(home: string, region: string, lang: Lang): { options: [string, string][]; name: string } {
  const answer = useQuery(MapRegionsDocument, { home, region });
  const found: RegionNamesFragment[] = [];
  let indent = new Set<string>();
  if (answer.status === "done") {
    const { home: city, china, us, current } = answer.data;
    if (city.__typename === "Region") {
      found.push(city, ...city.districts);
      indent = new Set(city.districts.map((d) => d.id));
    }
    for (const r of [china, us, current]) if (r.__typename === "Region") found.push(r);
  }
  const named = new Map(found.map((r) => [r.id, (indent.has(r.id) ? "· " : "") + regionName(lang, r)]));
  const current = answer.status === "done" ? answer.data.current : null;
  // A link may name a place by an alias (cn/suzhou/sip): its option shows the place's name.
  if (current?.__typename === "Region" && !named.has(region)) named.set(region, regionName(lang, current));
  const options: [string, string][] = [...new Set([region, ...named.keys()])].map((id) => [id, named.get(id) ?? id]);
  return { options, name: (named.get(region) ?? region).replace(/^· /, "") };
}
