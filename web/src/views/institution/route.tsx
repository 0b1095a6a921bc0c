// /institution/<id>: names, registry ids, metrics, location on a small map, top scientists and
// teams, topics, and cooperation partners (each a link to the cooperation of the two).
import { YearChart } from "../../components/chart";
import { Name } from "../../components/name";
import { Empty, Failure, Loaded } from "../../components/status";
import { WorldMap, type MapArc, type MapPoint } from "../../components/worldmap";
import { InstitutionProfileDocument, type InstitutionProfileQuery } from "../../gql/graphql";
import { formatNumber, useI18n } from "../../i18n";
import { useQuery } from "../../query";
import { entityHref, href, Link, navigate, shortId } from "../../router";
import { OpenCase } from "../../components/open-case";
import type { ViewProps } from "../types";

type Institution = Extract<InstitutionProfileQuery["institution"], { __typename: "Institution" }>;

export default function InstitutionView({ location }: ViewProps) {
  const id = location.path[1] ?? "";
  const state = useQuery(InstitutionProfileDocument, { id });
  return (
    <Loaded state={state}>
      {(data) => {
        const i = data.institution;
        if (i.__typename !== "Institution") return <Failure message={i.message} />;
        return <InstitutionProfile i={i} />;
      }}
    </Loaded>
  );
}

function InstitutionProfile({ i }: { i: Institution }) {
  const { t, lang } = useI18n();
  return (
    <article class="view profile" aria-labelledby="view-title">
      <InstitutionHead i={i} />
      <dl class="metrics-grid">
        <div><dt>{t("metric.works")}</dt><dd>{formatNumber(lang, i.worksCount)}</dd></div>
        <div><dt>{t("metric.citations")}</dt><dd>{formatNumber(lang, i.citedByCount)}</dd></div>
        <div><dt>{t("metric.hIndex")}</dt><dd>{formatNumber(lang, i.hIndex)}</dd></div>
        <div><dt>{t("institution.people")}</dt><dd data-testid="people-count">{formatNumber(lang, i.scientists.totalCount)}</dd></div>
        <div><dt>{t("institution.partnerCount")}</dt><dd>{formatNumber(lang, i.partners.totalCount)}</dd></div>
      </dl>
      <WorksByYear i={i} />
      <div class="columns">
        <Scientists i={i} />
        <Where i={i} />
      </div>
      <div class="columns">
        <Partners i={i} />
        <TeamsAndTopics i={i} />
      </div>
      <Lineage i={i} />
    </article>
  );
}

function InstitutionHead({ i }: { i: Institution }) {
  const { t } = useI18n();
  const loc = i.location;
  const acronyms = i.names.filter((n) => n.kind === "acronym").map((n) => n.name);
  return (
    <header class="profile-head">
      <p class="kind">{t("type.institution")}</p>
      <h1 id="view-title">
        <Name name={i.name} others={[i.nameZh]} />
      </h1>
      <p class="muted">
        {[acronyms.join(", "), i.types.join(", "), [loc.city, loc.countryName].filter(Boolean).join(", "), i.established ? t("institution.established", { year: i.established }) : ""]
          .filter(Boolean)
          .join(" · ")}
      </p>
      <p class="links">
        {i.rorId && <a href={i.rorId.startsWith("http") ? i.rorId : `https://ror.org/${i.rorId}`} rel="noreferrer">ROR {shortId(i.rorId)}</a>}
        {i.openalexId && <a href={`https://openalex.org/${shortId(i.openalexId)}`} rel="noreferrer">OpenAlex {shortId(i.openalexId)}</a>}
        {i.website && <a href={i.website} rel="noreferrer">{t("institution.website")}</a>}
        <Link href={href("/cooperation", { a: shortId(i.id) })}>{t("institution.allPartners")}</Link>
        <OpenCase id={i.id} kind="INSTITUTION" />
      </p>
    </header>
  );
}

function WorksByYear({ i }: { i: Institution }) {
  const { t, lang } = useI18n();
  return (
    <section aria-labelledby="works-title">
      <h2 id="works-title">{t("institution.worksByYear")}</h2>
      {i.worksByYear.length === 0 ? (
        <Empty />
      ) : (
        <>
          <YearChart counts={i.worksByYear.map((y) => ({ year: y.year, count: y.works }))} label={t("institution.worksByYear")} />
          <table class="visually-hidden" data-testid="works-by-year">
            <caption>{t("institution.worksByYear")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("heat.year")}</th>
                <th scope="col">{t("metric.works")}</th>
              </tr>
            </thead>
            <tbody>
              {i.worksByYear.map((y) => (
                <tr key={y.year} data-year={y.year} data-works={y.works}>
                  <th scope="row">{y.year}</th>
                  <td>{formatNumber(lang, y.works)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Scientists({ i }: { i: Institution }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="people-title">
      <h2 id="people-title">{t("institution.scientists")}</h2>
      {i.scientists.edges.length === 0 ? (
        <Empty />
      ) : (
        <ol class="ranked" data-testid="scientists">
          {i.scientists.edges.map((e) => (
            <li key={e.node.id}>
              <Link href={entityHref("scientist", e.node.id)} data-id={e.node.id}>
                <Name name={e.node.name} others={e.node.alternativeNames} />
              </Link>{" "}
              <span class="muted">
                {t("institution.worksHere", { count: e.works })}
                {e.startYear ? ` · ${e.startYear}–${e.endYear ?? ""}` : ""}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The institution and its partners on a small map, an arc to each partner. */
function Where({ i }: { i: Institution }) {
  const { t } = useI18n();
  const loc = i.location;
  const here: MapPoint[] =
    loc.latitude != null && loc.longitude != null
      ? [{ id: i.id, name: i.name, lat: loc.latitude, lon: loc.longitude, value: 1, inside: true }]
      : [];
  const partners: MapPoint[] = i.partners.edges
    .filter((e) => e.node.location.latitude != null && e.node.location.longitude != null)
    .map((e) => ({
      id: e.node.id,
      name: e.node.name,
      lat: e.node.location.latitude as number,
      lon: e.node.location.longitude as number,
      value: e.jointWorksCount,
      inside: false,
    }));
  const arcs: MapArc[] = here.length
    ? partners.map((p) => ({ from: [here[0].lon, here[0].lat], to: [p.lon, p.lat], weight: p.value }))
    : [];
  return (
    <section aria-labelledby="where-title">
      <h2 id="where-title">{t("institution.location")}</h2>
      {here.length ? (
        <WorldMap points={[...partners, ...here]} arcs={arcs} compact onSelect={(p) => navigate(entityHref("institution", p))} />
      ) : (
        <Empty>{t("institution.noLocation")}</Empty>
      )}
    </section>
  );
}

function Partners({ i }: { i: Institution }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="partners-title">
      <h2 id="partners-title">{t("institution.partners")}</h2>
      {i.partners.edges.length === 0 ? (
        <Empty />
      ) : (
        <ol class="ranked" data-testid="partners">
          {i.partners.edges.map((e) => (
            <li key={e.node.id}>
              <Link href={href("/cooperation", { a: shortId(i.id), b: shortId(e.node.id) })} data-id={e.node.id}>
                <Name name={e.node.name} others={[e.node.nameZh]} />
              </Link>{" "}
              <span class="muted">
                {e.node.countryCode} · {t("cooperation.jointWorks", { count: e.jointWorksCount })}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function TeamsAndTopics({ i }: { i: Institution }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="teams-title">
      <h2 id="teams-title">{t("institution.teams")}</h2>
      {i.teams.edges.length === 0 ? (
        <Empty />
      ) : (
        <ol class="ranked">
          {i.teams.edges.map(({ node }) => (
            <li key={node.id}>
              <Link href={entityHref("team", node.id)}>{node.name}</Link>{" "}
              <span class="muted">
                {t("team.membersCount", { count: node.membersCount })} · {t("metric.worksCount", { count: node.works })}
              </span>
            </li>
          ))}
        </ol>
      )}
      <h2>{t("institution.topics")}</h2>
      {i.topTopics.length === 0 ? (
        <Empty />
      ) : (
        <ol class="ranked">
          {i.topTopics.map((e) => (
            <li key={e.topic.id}>
              {e.topic.name} <span class="muted">({t("metric.worksCount", { count: e.works })})</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The institutions it is part of and those it includes, if any. */
function Lineage({ i }: { i: Institution }) {
  const { t } = useI18n();
  if (i.parents.length === 0 && i.children.length === 0) return null;
  return (
    <section aria-labelledby="lineage-title">
      <h2 id="lineage-title">{t("institution.lineage")}</h2>
      <ul>
        {i.parents.map((p) => (
          <li key={p.id}>
            {t("institution.partOf")} <Link href={entityHref("institution", p.id)}><Name name={p.name} others={[p.nameZh]} /></Link>
          </li>
        ))}
        {i.children.map((c) => (
          <li key={c.id}>
            {t("institution.includes")} <Link href={entityHref("institution", c.id)}><Name name={c.name} others={[c.nameZh]} /></Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
