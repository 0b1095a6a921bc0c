// /map?industry=…&segment=…&region=…&focus=world|china|region&partners=1: institutions sized by
// the talent they hold, in or out of the home region, a ranked list beside, the region's
// partners as arcs; a click opens the institution. Zoomed into China: the provinces and the
// home city; into the region: its districts, labelled at their seats, and the list ranks the
// region's own institutions. The region picker names places in the page's language.
import { ApiError, request } from "../../client";
import { Name } from "../../components/name";
import { Empty, ErrorBox, Failure, Loading } from "../../components/status";
import { WorldMap, type Focus, type MapArc, type MapPlace, type MapPoint } from "../../components/worldmap";
import { HOME, useRegions } from "../../components/region";
import { NamedOptions } from "../../components/options";
import {
  MapChoicesDocument,
  RegionPartnersDocument,
  RegionPlacesDocument,
  TalentMapPageDocument,
  type MapPlaceFragment,
} from "../../gql/graphql";
import type { Lang } from "../../i18n";
import { bilingual, formatNumber, useI18n } from "../../i18n";
import { usePaged, useQuery } from "../../query";
import { entityHref, href, Link, navigate } from "../../router";
import type { ViewProps } from "../types";

const FIRST = 500; // at most 500 institutions on the map, in one request (talentMap allows 500)

const FOCI: Focus[] = ["world", "china", "region"];

/** A city or district of the profile as the map draws it (none without a centre). */
function place(p: MapPlaceFragment, lang: Lang): MapPlace[] {
  if (p.latitude == null || p.longitude == null) return [];
  const name = lang === "zh" ? p.nameZh ?? p.nameEn : p.nameEn;
  return [{ id: p.id, name, lat: p.latitude, lon: p.longitude, institutions: p.institutionsCount }];
}

/** The home region's places the focus shows: its city over China, its districts over itself. */
function usePlaces(region: string, focus: Focus, lang: Lang): MapPlace[] {
  const profiled = region.includes("/"); // a city or district of a profile, not a country
  const answer = useQuery(RegionPlacesDocument, { region }, { skip: !profiled || focus === "world" });
  if (answer.status !== "done" || answer.data.regionMap.__typename !== "RegionMap") return [];
  const found = answer.data.regionMap;
  return focus === "china" ? place(found.city, lang) : found.districts.flatMap((d) => place(d, lang));
}

interface Row extends MapPoint {
  nameZh: string | null;
  countryCode: string | null;
}

interface MapParams {
  industry: string | null;
  segment: string | null;
  region: string;
  focus: Focus;
  partners: boolean;
}

function mapParams(q: URLSearchParams): MapParams {
  return {
    industry: q.get("industry"),
    segment: q.get("segment"),
    region: q.get("region") ?? HOME,
    focus: FOCI.find((f) => f === q.get("focus")) ?? "world",
    partners: q.get("partners") === "1",
  };
}

/** The institutions on the map, most talent first; zoomed into the region, only its own. */
function usePoints({ industry, segment, region, focus }: MapParams, lang: Lang) {
  const within = focus === "region";
  return usePaged<Row>(
    async (after, signal) => {
      const data = await request(TalentMapPageDocument, { industry, segment, region, within, first: FIRST, after }, signal);
      const answer = data.talentMap;
      if (answer.__typename !== "TalentMap") throw new ApiError(answer.message, "graphql");
      return {
        total: answer.totalCount,
        next: answer.pageInfo.hasNextPage ? answer.pageInfo.endCursor ?? null : null,
        items: answer.edges.map((e) => ({
          id: e.node.id,
          name: bilingual(lang, e.node.name, [e.node.nameZh])[0],
          nameZh: e.node.nameZh ?? null,
          countryCode: e.node.countryCode ?? null,
          lat: e.node.location.latitude as number,
          lon: e.node.location.longitude as number,
          value: e.talent,
          inside: e.inRegion ?? null,
        })),
      };
    },
    JSON.stringify([industry, segment, region, within, lang]),
    1,
  );
}

/** The region's cooperation partners as arcs from its institutions (when asked for). */
function useArcs(region: string, show: boolean) {
  const partners = useQuery(RegionPartnersDocument, { region, first: 50 }, { skip: !show });
  const arcs: MapArc[] = [];
  if (show && partners.status === "done" && partners.data.regionCooperation.__typename === "RegionCooperation") {
    for (const edge of partners.data.regionCooperation.edges) {
      const to = edge.node.location;
      for (const home of edge.homeInstitutions) {
        const from = home.institution?.location;
        if (from?.latitude != null && from.longitude != null && to.latitude != null && to.longitude != null) {
          arcs.push({ from: [from.longitude, from.latitude], to: [to.longitude, to.latitude], weight: home.jointWorksCount });
        }
      }
    }
  }
  return { partners, arcs };
}

export default function MapView({ location }: ViewProps) {
  const { t, lang } = useI18n();
  const params = mapParams(location.query);
  const points = usePoints(params, lang);
  const { partners, arcs } = useArcs(params.region, params.partners);
  const places = usePlaces(params.region, params.focus, lang);
  const regions = useRegions(HOME, params.region, lang);
  return (
    <section class="view map" aria-labelledby="view-title">
      <h1 id="view-title">{t("map.title")}</h1>
      <Controls params={params} regions={regions.options} />
      {points.status === "loading" && <Loading />}
      {points.status === "error" && (points.error.kind === "graphql" ? <Failure message={points.error.message} /> : <ErrorBox error={points.error} />)}
      {points.status === "done" && (
        <div class="with-side">
          <div class="map-main">
            <WorldMap points={points.data.items} arcs={arcs} places={places} focus={params.focus} onSelect={(id) => navigate(entityHref("institution", id))} />
            <p class="legend-line">
              <span class="swatch inside" /> {t("map.inside")} (<span data-testid="region-name">{regions.name}</span>){" "}
              <span class="swatch outside" /> {t("map.outside")}
              {" · "}
              {t("map.sizedBy")}
            </p>
            {params.partners && partners.status === "loading" && <Loading />}
            {params.partners && partners.status === "done" && (
              <p class="muted" data-testid="arc-count">{t("map.partnerArcs", { count: arcs.length })}</p>
            )}
            {params.partners && partners.status === "error" && <ErrorBox error={partners.error} />}
          </div>
          <SideList items={points.data.items} total={points.data.total} within={params.focus === "region"} region={regions.name} />
        </div>
      )}
    </section>
  );
}

function Controls({ params, regions }: { params: MapParams; regions: [string, string][] }) {
  const { t } = useI18n();
  const { industry, segment, region, focus, partners } = params;
  const go = (changes: Record<string, string | null>) =>
    navigate(href("/map", { industry, segment, region, focus, partners: partners ? "1" : null, ...changes }), true);
  const choices = useQuery(MapChoicesDocument, { industry: industry ?? "", withIndustry: Boolean(industry) });
  const industries = choices.status === "done" ? choices.data.industries : [];
  const chosen = choices.status === "done" ? choices.data.industry : undefined;
  const segments = chosen?.__typename === "Industry" ? chosen.segments : [];
  return (
    <form class="controls" onSubmit={(e) => e.preventDefault()}>
      <label>
        {t("map.industry")}
        <select value={industry ?? ""} onChange={(e) => go({ industry: e.currentTarget.value || null, segment: null })}>
          <option value="">{t("map.allTalent")}</option>
          <NamedOptions items={industries} />
        </select>
      </label>
      <label>
        {t("map.segment")}
        <select value={segment ?? ""} disabled={!industry} onChange={(e) => go({ segment: e.currentTarget.value || null })}>
          <option value="">{t("map.allSegments")}</option>
          <NamedOptions items={segments} />
        </select>
      </label>
      <label>
        {t("map.region")}
        <select value={region} onChange={(e) => go({ region: e.currentTarget.value })} data-testid="region-picker">
          {regions.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="inline">
        <legend>{t("map.zoom")}</legend>
        <button type="button" aria-pressed={focus === "world"} onClick={() => go({ focus: null })}>
          {t("map.world")}
        </button>
        <button type="button" aria-pressed={focus === "china"} onClick={() => go({ focus: "china" })}>
          {t("map.china")}
        </button>
        <button type="button" aria-pressed={focus === "region"} onClick={() => go({ focus: "region" })}>
          {t("map.homeRegion")}
        </button>
      </fieldset>
      <label class="check">
        <input type="checkbox" checked={partners} onChange={(e) => go({ partners: e.currentTarget.checked ? "1" : null })} />
        {t("map.partners")}
      </label>
    </form>
  );
}

/** The same institutions ranked (the first 50): the world's, or zoomed in, the region's. */
function SideList({ items, total, within, region }: { items: Row[]; total: number; within: boolean; region: string }) {
  const { t, lang } = useI18n();
  return (
    <aside class="side" aria-labelledby="ranked-title">
      <h2 id="ranked-title">{within ? t("map.rankedIn", { region }) : t("map.ranked")}</h2>
      <p class="muted" data-testid="map-total" data-count={total}>
        {t("map.total", { count: formatNumber(lang, total) })}
      </p>
      {items.length === 0 ? (
        <Empty>{t("map.none")}</Empty>
      ) : (
        <ol class="ranked" data-testid="map-list">
          {items.slice(0, 50).map((p) => (
            <li key={p.id} class={p.inside ? "inside" : ""}>
              <Link href={entityHref("institution", p.id)} data-id={p.id}>
                <Name name={p.name} others={[p.nameZh]} />
              </Link>{" "}
              <span class="muted">
                {p.countryCode} · <span data-testid="talent">{formatNumber(lang, p.value)}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
