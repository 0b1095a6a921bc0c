// /scientist/<id>: names, ORCID and OpenAlex links, affiliation timeline, works by year,
// topics, metrics, co-authors, teams, and the co-author network (click a person to recentre).
import { YearChart } from "../../components/chart";
import { Name } from "../../components/name";
import { OpenCase } from "../../components/open-case";
import { Network, type NetworkEdge, type NetworkNode } from "../../components/network";
import { Empty, Failure, Loaded } from "../../components/status";
import { ScientistNetworkDocument, ScientistProfileDocument, type ScientistNetworkQuery, type ScientistProfileQuery } from "../../gql/graphql";
import { formatNumber, useI18n } from "../../i18n";
import { useQuery } from "../../query";
import { allows, useCaller } from "../../role";
import { entityHref, href, Link, navigate, shortId } from "../../router";
import type { ViewProps } from "../types";
import { SinceLastVisit } from "./changes";
import { ScoreCard } from "./scorecard";

interface Affiliated {
  affiliations: { endYear?: number | null; institution: { name: string } }[];
}

/** The institution of a person's latest affiliation, the network's colour. */
function latestInstitution(person: Affiliated): string | null {
  const sorted = [...person.affiliations].sort((a, b) => (b.endYear ?? 0) - (a.endYear ?? 0));
  return sorted[0]?.institution.name ?? null;
}

export function egoNetwork(data: Extract<ScientistNetworkQuery["scientist"], { __typename: "Scientist" }>) {
  const nodes = new Map<string, NetworkNode>();
  const edges: NetworkEdge[] = [];
  nodes.set(data.id, { id: data.id, label: data.name, group: latestInstitution(data), ego: true, hop: 0 });
  for (const edge of data.coauthors.edges) {
    const person = edge.node;
    nodes.set(person.id, { id: person.id, label: person.name, group: latestInstitution(person), hop: 1 });
    edges.push({ source: data.id, target: person.id, weight: edge.sharedWorks });
  }
  for (const edge of data.coauthors.edges) {
    for (const second of edge.node.coauthors.edges) {
      if (!nodes.has(second.node.id)) {
        nodes.set(second.node.id, { id: second.node.id, label: second.node.name, group: null, hop: 2 });
      }
      edges.push({ source: edge.node.id, target: second.node.id, weight: second.sharedWorks });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

type Scientist = Extract<ScientistProfileQuery["scientist"], { __typename: "Scientist" }>;

export default function ScientistView({ location }: ViewProps) {
  const id = location.path[1] ?? "";
  const state = useQuery(ScientistProfileDocument, { id });
  return (
    <Loaded state={state}>
      {(data) => {
        const s = data.scientist;
        if (s.__typename !== "Scientist") return <Failure message={s.message} />;
        return <ScientistProfile s={s} id={id} segment={location.query.get("segment")} />;
      }}
    </Loaded>
  );
}

function ScientistProfile({ s, id, segment }: { s: Scientist; id: string; segment: string | null }) {
  const { t, lang } = useI18n();
  const m = s.metrics;
  return (
    <article class="view profile" aria-labelledby="view-title">
      <ScientistHead s={s} />
      <dl class="metrics-grid">
        <div><dt>{t("metric.works")}</dt><dd data-testid="metric-works">{formatNumber(lang, m.worksCount ?? s.works.totalCount)}</dd></div>
        <div><dt>{t("metric.citations")}</dt><dd>{formatNumber(lang, m.citedByCount)}</dd></div>
        <div><dt>{t("metric.hIndex")}</dt><dd>{formatNumber(lang, m.hIndex)}</dd></div>
        <div><dt>{t("metric.i10Index")}</dt><dd>{formatNumber(lang, m.i10Index)}</dd></div>
        <div><dt>{t("metric.meanCitedness")}</dt><dd>{m.twoYearMeanCitedness?.toFixed(2) ?? "–"}</dd></div>
      </dl>
      <SinceLastVisit id={s.id} />
      <ScoreCard id={id} segment={segment} path={`/scientist/${encodeURIComponent(id)}`} />
      <div class="columns">
        <Affiliations s={s} />
        <WorksByYear s={s} />
      </div>
      <section aria-labelledby="network-title">
        <h2 id="network-title">{t("scientist.network")}</h2>
        <EgoNetwork id={id} />
      </section>
      <div class="columns">
        <Coauthors s={s} />
        <TopicsAndTeams s={s} />
      </div>
      <WorksList s={s} />
    </article>
  );
}

function ScientistHead({ s }: { s: Scientist }) {
  const caller = useCaller();
  const { t } = useI18n();
  return (
    <header class="profile-head">
      <p class="kind">{t("type.scientist")}</p>
      <h1 id="view-title">
        <Name name={s.name} others={s.alternativeNames} />
      </h1>
      {s.alternativeNames.length > 0 && (
        <p class="muted">
          {t("scientist.alsoKnownAs")} {s.alternativeNames.slice(0, 8).join(" · ")}
        </p>
      )}
      <p class="links">
        {s.orcid && (
          <a href={s.orcid.startsWith("http") ? s.orcid : `https://orcid.org/${s.orcid}`} rel="noreferrer">
            ORCID {s.orcid.replace("https://orcid.org/", "")}
          </a>
        )}
        {s.openalexId && (
          <a href={`https://openalex.org/${shortId(s.openalexId)}`} rel="noreferrer">
            OpenAlex {shortId(s.openalexId)}
          </a>
        )}
        {allows(caller, "paths") && (
          <Link href={href("/paths", { from: shortId(s.id) })}>{t("scientist.findPaths")}</Link>
        )}
        <OpenCase id={s.id} kind="SCIENTIST" />
      </p>
    </header>
  );
}

function Affiliations({ s }: { s: Scientist }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="affiliations-title">
      <h2 id="affiliations-title">{t("scientist.affiliations")}</h2>
      {s.affiliations.length === 0 ? (
        <Empty />
      ) : (
        <ol class="timeline">
          {s.affiliations.map((a, i) => (
            <li key={`${a.institution.id}-${a.source}-${i}`}>
              <span class="years">
                {a.startYear ?? "?"}–{a.endYear ?? "?"}
              </span>{" "}
              <Link href={entityHref("institution", a.institution.id)}>
                <Name name={a.institution.name} others={[a.institution.nameZh]} />
              </Link>{" "}
              <span class="muted">({t(`source.${a.source}` as "source.openalex_author")})</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The works shown, counted per publication year. */
function WorksByYear({ s }: { s: Scientist }) {
  const { t } = useI18n();
  const years = new Map<number, number>();
  for (const { node } of s.works.edges) {
    if (node.publicationYear) years.set(node.publicationYear, (years.get(node.publicationYear) ?? 0) + 1);
  }
  const counts = [...years.entries()].map(([year, count]) => ({ year, count }));
  return (
    <section aria-labelledby="works-title">
      <h2 id="works-title">{t("scientist.worksByYear")}</h2>
      {counts.length === 0 ? <Empty /> : <YearChart counts={counts} label={t("scientist.worksByYear")} />}
      {s.works.totalCount > s.works.edges.length && (
        <p class="muted">{t("scientist.latestWorks", { count: s.works.edges.length })}</p>
      )}
    </section>
  );
}

function Coauthors({ s }: { s: Scientist }) {
  const { t, lang } = useI18n();
  return (
    <section aria-labelledby="coauthors-title">
      <h2 id="coauthors-title">
        {t("scientist.coauthors")} <span class="muted">({formatNumber(lang, s.coauthors.totalCount)})</span>
      </h2>
      {s.coauthors.edges.length === 0 ? (
        <Empty />
      ) : (
        <ol class="ranked" data-testid="coauthors">
          {s.coauthors.edges.map((e) => (
            <li key={e.node.id}>
              <Link href={entityHref("scientist", e.node.id)} data-id={e.node.id}>
                <Name name={e.node.name} others={e.node.alternativeNames} />
              </Link>{" "}
              <span class="muted">
                {t("scientist.sharedWorks", { count: e.sharedWorks })} · {e.firstYear}–{e.lastYear}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function TopicsAndTeams({ s }: { s: Scientist }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="topics-title">
      <h2 id="topics-title">{t("scientist.topics")}</h2>
      {s.topics.length === 0 ? (
        <Empty />
      ) : (
        <ol class="ranked">
          {s.topics.map((e) => (
            <li key={e.topic.id}>
              {e.topic.name} <span class="muted">({t("scientist.topicWorks", { count: e.works })})</span>
            </li>
          ))}
        </ol>
      )}
      <h2>{t("scientist.teams")}</h2>
      {s.teams.length === 0 ? (
        <Empty />
      ) : (
        <ul>
          {s.teams.map((m) => (
            <li key={m.team.id}>
              <Link href={entityHref("team", m.team.id)}>{m.team.name}</Link>{" "}
              <span class="muted">
                ({t(m.role === "lead" ? "team.lead" : "team.member")}, {t("team.membersCount", { count: m.team.membersCount })})
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The latest 20 works, each a DOI link where there is one. */
function WorksList({ s }: { s: Scientist }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="list-title">
      <h2 id="list-title">{t("scientist.works")}</h2>
      <ol class="works">
        {s.works.edges.slice(0, 20).map(({ node }) => (
          <li key={node.id}>
            {node.doi ? <a href={node.doi} rel="noreferrer">{node.title ?? node.id}</a> : node.title ?? node.id}{" "}
            <span class="muted">
              {node.sourceName ? `${node.sourceName}, ` : ""}
              {node.publicationYear} · {t("metric.citationsCount", { count: node.citedByCount })}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function EgoNetwork({ id }: { id: string }) {
  const { t } = useI18n();
  const state = useQuery(ScientistNetworkDocument, { id });
  return (
    <Loaded state={state}>
      {(data) => {
        const s = data.scientist;
        if (s.__typename !== "Scientist") return <Failure message={s.message} />;
        if (s.coauthors.edges.length === 0) return <Empty>{t("scientist.noCoauthors")}</Empty>;
        const { nodes, edges } = egoNetwork(s);
        return <Network nodes={nodes} edges={edges} onSelect={(node) => navigate(entityHref("scientist", node))} />;
      }}
    </Loaded>
  );
}
