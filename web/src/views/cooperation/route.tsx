// /cooperation?a=…&b=…&from=…&to=…: two institutions' joint works by year, topics, the person
// pairs behind them and the works; with `a` only, a's partners; /cooperation/region/<region>:
// the region's partners, ranked and on the map.
import { YearChart } from "../../components/chart";
import { Name } from "../../components/name";
import { HOME } from "../../components/region";
import { Empty, Failure, Loaded } from "../../components/status";
import { WorldMap, type MapArc, type MapPoint } from "../../components/worldmap";
import { CooperationDocument, PartnersDocument, RegionCooperationViewDocument } from "../../gql/graphql";
import { formatNumber, useI18n } from "../../i18n";
import { useQuery } from "../../query";
import { entityHref, href, Link, navigate, shortId } from "../../router";
import type { ViewProps } from "../types";

function year(value: string | null): number | null {
  const n = value ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) ? n : null;
}

export default function CooperationView({ location }: ViewProps) {
  const { t } = useI18n();
  const q = location.query;
  const from = year(q.get("from"));
  const to = year(q.get("to"));
  const a = q.get("a");
  const b = q.get("b");
  const region = location.path[1] === "region" ? location.path[2] ?? HOME : null;
  const base = region ? `/cooperation/region/${region}` : "/cooperation";
  const go = (changes: Record<string, string | null>) =>
    navigate(href(base, { a, b, from: q.get("from"), to: q.get("to"), ...changes }), true);
  return (
    <section class="view cooperation" aria-labelledby="view-title">
      <h1 id="view-title">{t("cooperation.title")}</h1>
      <form class="controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("cooperation.from")}
          <input type="number" min={1900} max={2100} value={q.get("from") ?? ""} onChange={(e) => go({ from: e.currentTarget.value || null })} />
        </label>
        <label>
          {t("cooperation.to")}
          <input type="number" min={1900} max={2100} value={q.get("to") ?? ""} onChange={(e) => go({ to: e.currentTarget.value || null })} />
        </label>
        {!region && (
          <Link href={href(`/cooperation/region/${HOME}`, {})}>{t("cooperation.regionLink")}</Link>
        )}
      </form>
      {region ? (
        <RegionPartners region={region} from={from} to={to} />
      ) : a && b ? (
        <Pair a={a} b={b} from={from} to={to} />
      ) : a ? (
        <PartnerList a={a} from={from} to={to} />
      ) : (
        <Empty>{t("cooperation.choose")}</Empty>
      )}
    </section>
  );
}

function Pair({ a, b, from, to }: { a: string; b: string; from: number | null; to: number | null }) {
  const { t, lang } = useI18n();
  const state = useQuery(CooperationDocument, { a, b, from, to });
  return (
    <Loaded state={state}>
      {(data) => {
        const c = data.institutionCooperation;
        if (c.__typename !== "InstitutionCooperation") return <Failure message={c.message} />;
        return (
          <>
            <h2>
              <Link href={entityHref("institution", c.a.id)}><Name name={c.a.name} others={[c.a.nameZh]} /></Link>
              {" ⇄ "}
              <Link href={entityHref("institution", c.b.id)}><Name name={c.b.name} others={[c.b.nameZh]} /></Link>
            </h2>
            <p class="count" data-testid="joint-count" data-count={c.jointWorksCount}>
              {t("cooperation.jointWorks", { count: formatNumber(lang, c.jointWorksCount) })}
            </p>
            {c.jointWorksCount === 0 ? (
              <Empty>{t("cooperation.none")}</Empty>
            ) : (
              <>
                <div class="columns">
                  <section>
                    <h3>{t("cooperation.byYear")}</h3>
                    {c.byYear.length ? <YearChart counts={c.byYear} label={t("cooperation.byYear")} /> : <Empty />}
                  </section>
                  <section>
                    <h3>{t("cooperation.topics")}</h3>
                    <ol class="ranked">
                      {c.topTopics.map((e) => (
                        <li key={e.topic.id}>
                          {e.topic.name} <span class="muted">({t("metric.worksCount", { count: e.works })})</span>
                        </li>
                      ))}
                    </ol>
                  </section>
                </div>
                <section>
                  <h3>
                    {t("cooperation.pairs")} <span class="muted">({formatNumber(lang, c.pairs.totalCount)})</span>
                  </h3>
                  <ol class="ranked" data-testid="pairs">
                    {c.pairs.edges.map(({ node }) => (
                      <li key={`${node.atA.id}-${node.atB.id}`}>
                        <Link href={entityHref("scientist", node.atA.id)}><Name name={node.atA.name} others={node.atA.alternativeNames} /></Link>
                        {" — "}
                        <Link href={entityHref("scientist", node.atB.id)}><Name name={node.atB.name} others={node.atB.alternativeNames} /></Link>{" "}
                        <span class="muted">{t("scientist.sharedWorks", { count: node.sharedWorksCount })}</span>
                      </li>
                    ))}
                  </ol>
                </section>
                <section>
                  <h3>{t("cooperation.works")}</h3>
                  <ol class="works">
                    {c.works.edges.map(({ node }) => (
                      <li key={node.id}>
                        {node.doi ? <a href={node.doi} rel="noreferrer">{node.title ?? node.id}</a> : node.title ?? node.id}{" "}
                        <span class="muted">
                          {node.publicationYear} · {t("metric.citationsCount", { count: node.citedByCount })}
                        </span>
                      </li>
                    ))}
                  </ol>
                </section>
              </>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

function PartnerList({ a, from, to }: { a: string; from: number | null; to: number | null }) {
  const { t, lang } = useI18n();
  const state = useQuery(PartnersDocument, { institution: a, filter: { fromYear: from, toYear: to } });
  return (
    <Loaded state={state}>
      {(data) => {
        const owner = data.institution;
        const partners = data.cooperationPartners;
        if (owner.__typename !== "Institution") return <Failure message={owner.message} />;
        if (partners.__typename !== "PartnerConnection") return <Failure message={partners.message} />;
        return (
          <>
            <h2>
              <Link href={entityHref("institution", owner.id)}><Name name={owner.name} others={[owner.nameZh]} /></Link>
            </h2>
            <p class="count" data-testid="partner-count" data-count={partners.totalCount}>
              {t("cooperation.partnerCount", { count: formatNumber(lang, partners.totalCount) })}
            </p>
            {partners.edges.length === 0 ? (
              <Empty>{t("cooperation.none")}</Empty>
            ) : (
              <ol class="ranked" data-testid="partners">
                {partners.edges.map((e) => (
                  <li key={e.node.id}>
                    <Link href={href("/cooperation", { a: shortId(owner.id), b: shortId(e.node.id), from, to })} data-id={e.node.id}>
                      <Name name={e.node.name} others={[e.node.nameZh]} />
                    </Link>{" "}
                    <span class="muted">
                      {e.node.countryCode} · {t("cooperation.jointWorks", { count: e.jointWorksCount })}
                      {e.topTopics.length > 0 && ` · ${e.topTopics.map((x) => x.topic.name).join(", ")}`}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

function RegionPartners({ region, from, to }: { region: string; from: number | null; to: number | null }) {
  const { t, lang } = useI18n();
  const state = useQuery(RegionCooperationViewDocument, { region, filter: { fromYear: from, toYear: to } });
  return (
    <Loaded state={state}>
      {(data) => {
        const answer = data.regionCooperation;
        if (answer.__typename !== "RegionCooperation") return <Failure message={answer.message} />;
        const points: MapPoint[] = [];
        const arcs: MapArc[] = [];
        const homes = new Map<string, MapPoint>();
        for (const edge of answer.edges) {
          const to = edge.node.location;
          if (to.latitude == null || to.longitude == null) continue;
          points.push({ id: edge.node.id, name: edge.node.name, lat: to.latitude, lon: to.longitude, value: edge.jointWorksCount, inside: false });
          for (const home of edge.homeInstitutions) {
            const at = home.institution?.location;
            if (!home.institution || at?.latitude == null || at.longitude == null) continue;
            homes.set(home.institution.id, { id: home.institution.id, name: home.institution.name, lat: at.latitude, lon: at.longitude, value: 1, inside: true });
            arcs.push({ from: [at.longitude, at.latitude], to: [to.longitude, to.latitude], weight: home.jointWorksCount });
          }
        }
        return (
          <>
            <h2>{t("cooperation.regionTitle", { region })}</h2>
            <p class="count" data-testid="partner-count" data-count={answer.totalCount}>
              {t("cooperation.partnerCount", { count: formatNumber(lang, answer.totalCount) })}
            </p>
            {answer.edges.length === 0 ? (
              <Empty>{t("cooperation.none")}</Empty>
            ) : (
              <div class="with-side">
                <div class="map-main">
                  <WorldMap points={[...points, ...homes.values()]} arcs={arcs} onSelect={(id) => navigate(entityHref("institution", id))} />
                </div>
                <aside class="side">
                  <ol class="ranked" data-testid="partners">
                    {answer.edges.map((e) => (
                      <li key={e.node.id}>
                        <Link href={entityHref("institution", e.node.id)} data-id={e.node.id}>
                          <Name name={e.node.name} others={[e.node.nameZh]} />
                        </Link>{" "}
                        <span class="muted">
                          {e.node.countryCode} · {t("cooperation.jointWorks", { count: e.jointWorksCount })}
                        </span>
                        <ul class="homes">
                          {e.homeInstitutions.map((h) =>
                            h.institution ? (
                              <li key={h.institutionId}>
                                <Link href={href("/cooperation", { a: shortId(h.institution.id), b: shortId(e.node.id) })}>
                                  <Name name={h.institution.name} others={[h.institution.nameZh]} />
                                </Link>{" "}
                                <span class="muted">({h.jointWorksCount})</span>
                              </li>
                            ) : null,
                          )}
                        </ul>
                      </li>
                    ))}
                  </ol>
                </aside>
              </div>
            )}
          </>
        );
      }}
    </Loaded>
  );
}
