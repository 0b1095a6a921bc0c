// /heat?industry=…&kind=HOT|EMERGING|ALL: topics ranked by their heat score, each with the
// score's components; /heat/<topic, subfield, field or industry/segment id>?region=…: works per
// year, the 3-year forecast with its 80% interval, growth, acceleration and the score explained;
// with a region, the region's works per year beside the node's, its share, growth and forecast.
// Below the ranking: the region's talent flows (?region=…, the home region by default) and the
// rising stars (talent.tsx).
import { ForecastChart } from "../../components/forecast-chart";
import { HOME, useRegions } from "../../components/region";
import { decimal, percent, ScoreTable } from "../../components/score";
import { Empty, Failure, Loaded } from "../../components/status";
import { NamedOptions } from "../../components/options";
import {
  IndustriesDocument,
  HotTopicsViewDocument,
  TopicHeatViewDocument,
  type HeatScorePartsFragment,
  type HotKind,
  type TopicHeatViewQuery,
} from "../../gql/graphql";
import { formatNumber, useI18n, type Key, type Translate } from "../../i18n";
import { useQuery } from "../../query";
import { href, Link, navigate } from "../../router";
import type { ViewProps } from "../types";
import { RisingStars, TalentFlows } from "./talent";

const FIRST = 50;
const KINDS = ["HOT", "EMERGING", "ALL"] as const;
type KindChoice = (typeof KINDS)[number];

/** A heat component's label ("heat.c.size"); an unknown name as it is. */
export function heatLabel(t: Translate, name: string): string {
  const key = `heat.c.${name}` as Key;
  const text = t(key);
  return text === undefined ? name : text;
}

function kindLabel(t: Translate, kind: HotKind | null | undefined): string {
  return kind ? t(`heat.kind.${kind}` as Key) : t("heat.kind.none");
}

export default function HeatView({ location }: ViewProps) {
  const id = location.path.slice(1).join("/");
  return id ? <TopicHeatPage id={id} region={location.query.get("region")} /> : <HotTopicsPage location={location} />;
}

function HotTopicsPage({ location }: ViewProps) {
  const { t, lang } = useI18n();
  const industry = location.query.get("industry");
  // Talent flows of the home region unless the link names another (?region=CN).
  const region = location.query.get("region") ?? HOME;
  const asked = (location.query.get("kind") ?? "HOT").toUpperCase();
  const kind: KindChoice = (KINDS as readonly string[]).includes(asked) ? (asked as KindChoice) : "HOT";
  const go = (changes: Record<string, string | null>) =>
    navigate(href("/heat", { industry, kind, region: location.query.get("region"), ...changes }), true);
  const industries = useQuery(IndustriesDocument, {});
  const hot = useQuery(HotTopicsViewDocument, { industry, kind: kind === "ALL" ? null : kind, first: FIRST });
  return (
    <section class="view heat" aria-labelledby="view-title">
      <h1 id="view-title">{t("heat.title")}</h1>
      <p class="muted">{t("heat.help")}</p>
      <form class="controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("map.industry")}
          <select value={industry ?? ""} onChange={(e) => go({ industry: e.currentTarget.value || null })}>
            <option value="">{t("heat.allTopics")}</option>
            {industries.status === "done" && <NamedOptions items={industries.data.industries} />}
          </select>
        </label>
        <fieldset class="inline">
          <legend>{t("heat.kind")}</legend>
          {KINDS.map((k) => (
            <button key={k} type="button" aria-pressed={k === kind} onClick={() => go({ kind: k })}>
              {t(`heat.choose.${k}` as Key)}
            </button>
          ))}
        </fieldset>
      </form>
      <p class="muted">{t(`heat.explain.${kind}` as Key)}</p>
      <Loaded state={hot}>
        {(data) => {
          const answer = data.hotTopics;
          if (answer.__typename !== "HotTopicConnection") return <Failure message={answer.message} />;
          if (answer.edges.length === 0) return <Empty>{t("heat.none")}</Empty>;
          return (
            <>
              <p class="count muted" data-testid="hot-count" data-count={answer.totalCount}>
                {t("heat.count", { count: formatNumber(lang, answer.totalCount) })}
              </p>
              <ol class="hot-list" data-testid="hot-topics">
                {answer.edges.map(({ node }) => (
                  <li key={node.id} data-id={node.id} data-score={node.heatScore.score}>
                    <div class="hot-head">
                      <Link href={`/heat/${encodeURIComponent(node.id)}`} data-id={node.id}>
                        <span class="name">{node.name}</span>
                      </Link>{" "}
                      <span class="badge">{kindLabel(t, node.heatScore.kind)}</span>{" "}
                      <span class="muted">
                        {t("heat.score")} <strong>{decimal(lang, node.heatScore.score, 3)}</strong> · {t("heat.growth")}{" "}
                        {percent(lang, node.growth, 1)} · {t("heat.acceleration")} {percent(lang, node.acceleration, 1)}
                      </span>
                    </div>
                    <Parts score={node.heatScore} />
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </Loaded>
      <TalentFlows region={region} industry={industry} />
      <RisingStars region={location.query.get("region")} />
    </section>
  );
}

/** The components that weigh in the score (weight > 0), inline: "size 0.3 + growth 0". */
function Parts({ score }: { score: HeatScorePartsFragment }) {
  const { t, lang } = useI18n();
  const weighed = score.components.filter((c) => c.weight > 0);
  return (
    <p class="parts muted" data-testid="parts">
      {weighed.map((c, i) => (
        <span key={c.name} class="part" data-name={c.name} data-contribution={c.contribution}>
          {i > 0 && " + "}
          {heatLabel(t, c.name)} {decimal(lang, c.contribution, 3)}
        </span>
      ))}
    </p>
  );
}

type NodeHeat = Extract<TopicHeatViewQuery["topicHeat"], { __typename: "TopicHeat" }>;
type RegionHeat = NonNullable<NodeHeat["inRegion"]>;

function TopicHeatPage({ id, region }: { id: string; region: string | null }) {
  const { t } = useI18n();
  const state = useQuery(TopicHeatViewDocument, { id, region });
  return (
    <Loaded state={state}>
      {(data) => {
        const h = data.topicHeat;
        if (h.__typename !== "TopicHeat") return <Failure message={h.message} />;
        const kindKey = `heat.level.${h.kind}` as Key;
        return (
          <article class="view profile heat-topic" aria-labelledby="view-title">
            <header class="profile-head">
              <p class="kind">{t(kindKey)}</p>
              <h1 id="view-title">{h.name}</h1>
              <p class="links">
                <Link href="/heat">{t("heat.back")}</Link>
              </p>
              <RegionPicker id={id} region={region} />
            </header>
            <HeatMetrics h={h} />
            <p class="muted">{t("heat.growthHelp")}</p>
            <section aria-labelledby="years-title">
              <h2 id="years-title">{t("heat.byYear")}</h2>
              <ForecastChart
                years={h.years}
                forecast={h.forecast}
                labels={{
                  title: t("heat.byYear"),
                  works: t("metric.works"),
                  forecast: t("heat.forecast"),
                  interval: t("heat.interval"),
                }}
              />
              <p class="muted">{t(h.source === "openalex" ? "heat.source.openalex" : "heat.source.graph")}</p>
            </section>
            <div class="columns">
              <section aria-labelledby="forecast-title">
                <h2 id="forecast-title">{t("heat.forecastTitle")}</h2>
                <ForecastTable rows={h.forecast} testid="forecast" />
              </section>
              <section aria-labelledby="score-title">
                <h2 id="score-title">{t("heat.scoreTitle")}</h2>
                <ScoreTable
                  parts={h.heatScore.components}
                  score={h.heatScore.score}
                  label={(name) => heatLabel(t, name)}
                  caption={t("heat.scoreCaption", { kind: kindLabel(t, h.heatScore.kind) })}
                  testid="heat-components"
                />
              </section>
            </div>
            {h.inRegion && <RegionPart part={h.inRegion} />}
            <YearsTable h={h} />
          </article>
        );
      }}
    </Loaded>
  );
}

/** The node's score, kind, growth, acceleration and its emerging and hot parts. */
function HeatMetrics({ h }: { h: NodeHeat }) {
  const { t, lang } = useI18n();
  return (
    <dl class="metrics-grid">
      <div>
        <dt>{t("heat.score")}</dt>
        <dd data-testid="heat-score">{decimal(lang, h.heatScore.score, 3)}</dd>
      </div>
      <div>
        <dt>{t("heat.kind")}</dt>
        <dd data-testid="heat-kind">{kindLabel(t, h.heatScore.kind)}</dd>
      </div>
      <div>
        <dt>{t("heat.growth")}</dt>
        <dd data-testid="heat-growth" data-value={h.growth ?? ""}>{percent(lang, h.growth, 1)}</dd>
      </div>
      <div>
        <dt>{t("heat.acceleration")}</dt>
        <dd data-testid="heat-acceleration" data-value={h.acceleration ?? ""}>{percent(lang, h.acceleration, 1)}</dd>
      </div>
      <div>
        <dt>{t("heat.emerging")}</dt>
        <dd>{decimal(lang, h.heatScore.emerging, 3)}</dd>
      </div>
      <div>
        <dt>{t("heat.hot")}</dt>
        <dd>{decimal(lang, h.heatScore.hot, 3)}</dd>
      </div>
    </dl>
  );
}

/** A forecast's years: expected works and the 80% interval's bounds (the node's or the region's). */
function ForecastTable({ rows, testid, caption }: { rows: NodeHeat["forecast"]; testid: string; caption?: string }) {
  const { t, lang } = useI18n();
  return (
    <table class="score-table" data-testid={testid}>
      {caption !== undefined && <caption>{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">{t("heat.year")}</th>
          <th scope="col">{t("heat.expected")}</th>
          <th scope="col">{t("heat.low")}</th>
          <th scope="col">{t("heat.high")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((f) => (
          <tr key={f.year} data-year={f.year} data-works={f.works} data-low={f.low} data-high={f.high}>
            <th scope="row">{f.year}</th>
            <td>{decimal(lang, f.works, 1)}</td>
            <td>{decimal(lang, f.low, 1)}</td>
            <td>{decimal(lang, f.high, 1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Works, citations and share per year, with the region's works and share beside them. */
function YearsTable({ h }: { h: NodeHeat }) {
  const { t, lang } = useI18n();
  return (
    <section aria-labelledby="table-title">
      <h2 id="table-title">{t("heat.yearsTitle")}</h2>
      <table class="score-table" data-testid="heat-years">
        <thead>
          <tr>
            <th scope="col">{t("heat.year")}</th>
            <th scope="col">{t("metric.works")}</th>
            <th scope="col">{t("metric.citations")}</th>
            <th scope="col">{t("heat.share")}</th>
            {h.inRegion && <th scope="col">{t("heat.regionWorks")}</th>}
            {h.inRegion && <th scope="col">{t("heat.regionShare")}</th>}
          </tr>
        </thead>
        <tbody>
          {h.years.map((y) => {
            const mine = h.inRegion?.years.find((r) => r.year === y.year);
            return (
              <tr key={y.year} data-year={y.year} data-works={y.works} data-region-works={mine?.works} data-region-share={mine?.share}>
                <th scope="row">{y.year}</th>
                <td>{formatNumber(lang, y.works)}</td>
                <td>{formatNumber(lang, y.citations)}</td>
                <td>{percent(lang, y.share, 1)}</td>
                {h.inRegion && <td>{mine ? formatNumber(lang, mine.works) : "–"}</td>}
                {h.inRegion && <td>{percent(lang, mine?.share, 1)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The region whose part of the heat is shown (?region=…), or none. */
function RegionPicker({ id, region }: { id: string; region: string | null }) {
  const { t, lang } = useI18n();
  const regions = useRegions(HOME, region ?? HOME, lang);
  const go = (value: string) => navigate(href(`/heat/${id}`, { region: value || null }), true);
  return (
    <label>
      {t("heat.region")}{" "}
      <select value={region ?? ""} onChange={(e) => go(e.currentTarget.value)} data-testid="heat-region-picker">
        <option value="">{t("heat.noRegion")}</option>
        {regions.options.map(([key, name]) => (
          <option key={key} value={key}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The region's part: its growth, acceleration and forecast (its works per year are in the
 * per-year table beside the node's). */
function RegionPart({ part }: { part: RegionHeat }) {
  const { t, lang } = useI18n();
  const regions = useRegions(HOME, part.regionId, lang);
  const works = part.years.reduce((sum, y) => sum + y.works, 0);
  return (
    <section aria-labelledby="region-title" data-testid="heat-region" data-region={part.regionId}>
      <h2 id="region-title">{t("heat.regionTitle", { region: regions.name })}</h2>
      <p class="muted">{t("heat.regionHelp")}</p>
      <dl class="metrics-grid">
        <div>
          <dt>{t("heat.regionWorks")}</dt>
          <dd data-testid="region-works" data-value={works}>{formatNumber(lang, works)}</dd>
        </div>
        <div>
          <dt>{t("heat.regionGrowth")}</dt>
          <dd data-testid="region-growth" data-value={part.growth ?? ""}>{percent(lang, part.growth, 1)}</dd>
        </div>
        <div>
          <dt>{t("heat.regionAcceleration")}</dt>
          <dd data-testid="region-acceleration" data-value={part.acceleration ?? ""}>{percent(lang, part.acceleration, 1)}</dd>
        </div>
      </dl>
      <ForecastTable rows={part.forecast} testid="region-forecast" caption={t("heat.regionForecast")} />
    </section>
  );
}
