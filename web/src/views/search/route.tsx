// /search?q=…&type=scientists|institutions&country=…&field=…&industry=…&hmin=…&since=…&after=…
// Facets as filters: country, field and years with the API's counts (facets), industry (the
// chains), h-index.
import type { VNode } from "preact";
import { Empty, Failure, Loaded } from "../../components/status";
import { Name } from "../../components/name";
import { NamedOptions } from "../../components/options";
import {
  SearchFacetsDocument,
  SearchInstitutionsDocument,
  SearchScientistsDocument,
  type SearchFacetsQuery,
} from "../../gql/graphql";
import { formatNumber, useI18n } from "../../i18n";
import { useQuery } from "../../query";
import { entityHref, href, Link, navigate } from "../../router";
import type { ViewProps } from "../types";
import { Typeahead } from "./typeahead";

const PAGE = 20;

function int(value: string | null): number | null {
  const n = value === null ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : null;
}

type FacetResult = SearchFacetsQuery["countries"];

function buckets(facets: FacetResult) {
  return facets.__typename === "Facets" ? facets.buckets.edges.map((e) => e.node) : [];
}

/** The years facet, newest first (the API ranks buckets by count). */
function byYear(facets: FacetResult) {
  return buckets(facets).sort((a, b) => Number(b.keys[0].value) - Number(a.keys[0].value));
}

export default function SearchView({ location }: ViewProps) {
  const { t } = useI18n();
  const q = location.query;
  const text = q.get("q") ?? "";
  const type = q.get("type") === "institutions" ? "institutions" : "scientists";
  const params = {
    q: text,
    type,
    country: q.get("country"),
    field: q.get("field"),
    industry: q.get("industry"),
    hmin: q.get("hmin"),
    since: q.get("since"),
  };
  const go = (changes: Record<string, string | null>) => navigate(href("/search", { ...params, ...changes }));
  return (
    <section class="view search" aria-labelledby="view-title">
      <h1 id="view-title">{t("search.title")}</h1>
      <Typeahead initial={text} type={type} />
      <div class="tabs" role="tablist" aria-label={t("search.type")}>
        {(["scientists", "institutions"] as const).map((kind) => (
          <button
            key={kind}
            role="tab"
            aria-selected={type === kind}
            class={type === kind ? "tab active" : "tab"}
            onClick={() => go({ type: kind })}
          >
            {t(`search.${kind}`)}
          </button>
        ))}
      </div>
      <div class="with-side">
        <Filters params={params} go={go} />
        <div class="results">
          {type === "scientists" ? <ScientistResults params={params} after={q.get("after")} /> : <InstitutionResults params={params} after={q.get("after")} />}
        </div>
      </div>
    </section>
  );
}

type Go = (changes: Record<string, string | null>) => void;

/** The facets as filters: country for both kinds, field, industry, h-index and years for people. */
function Filters({ params, go }: { params: Params; go: Go }) {
  const { t } = useI18n();
  const facets = useQuery(SearchFacetsDocument, {});
  const done = facets.status === "done" ? facets.data : null;
  return (
    <aside class="filters" aria-label={t("search.filters")}>
      <label>
        {t("search.country")}
        <select value={params.country ?? ""} onChange={(e) => go({ country: e.currentTarget.value || null })}>
          <option value="">{t("search.any")}</option>
          {done &&
            buckets(done.countries).map((b) => (
              <option key={b.keys[0].value} value={b.keys[0].value}>
                {b.keys[0].label} ({b.count})
              </option>
            ))}
        </select>
      </label>
      {params.type === "scientists" && <PeopleFilters params={params} go={go} facets={done} />}
    </aside>
  );
}

function PeopleFilters({ params, go, facets }: { params: Params; go: Go; facets: SearchFacetsQuery | null }) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t("search.field")}
        <select value={params.field ?? ""} onChange={(e) => go({ field: e.currentTarget.value || null })}>
          <option value="">{t("search.any")}</option>
          {facets &&
            buckets(facets.fields).map((b) => (
              <option key={b.keys[0].value} value={b.keys[0].value}>
                {b.keys[0].label} ({b.count})
              </option>
            ))}
        </select>
      </label>
      <label>
        {t("search.industry")}
        <select value={params.industry ?? ""} onChange={(e) => go({ industry: e.currentTarget.value || null })}>
          <option value="">{t("search.any")}</option>
          {facets && <NamedOptions items={facets.industries} />}
        </select>
      </label>
      <label>
        {t("search.hIndexMin")}
        <input
          type="number"
          min={0}
          value={params.hmin ?? ""}
          onChange={(e) => go({ hmin: e.currentTarget.value || null })}
        />
      </label>
      <label>
        {t("search.activeSince")}
        <select value={params.since ?? ""} onChange={(e) => go({ since: e.currentTarget.value || null })}>
          <option value="">{t("search.any")}</option>
          {facets &&
            byYear(facets.years).map((b) => (
              <option key={b.keys[0].value} value={b.keys[0].value}>
                {b.keys[0].value} ({t("search.activeIn", { count: b.count })})
              </option>
            ))}
          {params.since && !(facets && byYear(facets.years).some((b) => b.keys[0].value === params.since)) && (
            <option value={params.since}>{params.since}</option>
          )}
        </select>
      </label>
    </>
  );
}

type Params = Record<"q" | "type" | "country" | "field" | "industry" | "hmin" | "since", string | null>;

function Pager({ params, next, after }: { params: Params; next: string | null; after: string | null }) {
  const { t } = useI18n();
  return (
    <nav class="pager" aria-label={t("search.pages")}>
      {after && <Link href={href("/search", params)}>{t("search.firstPage")}</Link>}
      {next && <Link href={href("/search", { ...params, after: next })}>{t("search.nextPage")}</Link>}
    </nav>
  );
}

/** One page of results: the count, the list (or "no results") and the pager. */
function ResultPage({
  params,
  after,
  pageInfo,
  total,
  count,
  children,
}: {
  params: Params;
  after: string | null;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  total: number;
  count: string;
  children: VNode[];
}) {
  const { t } = useI18n();
  if (children.length === 0) return <Empty>{t("search.none")}</Empty>;
  return (
    <>
      <p class="count" data-testid="result-count" data-count={total}>
        {count}
      </p>
      <ol class="result-list" data-testid="results">
        {children}
      </ol>
      <Pager params={params} after={after} next={pageInfo.hasNextPage ? pageInfo.endCursor ?? null : null} />
    </>
  );
}

function ScientistResults({ params, after }: { params: Params; after: string | null }) {
  const { t, lang } = useI18n();
  const hmin = int(params.hmin);
  const since = int(params.since);
  const state = useQuery(SearchScientistsDocument, {
    query: params.q || null,
    filter: {
      country: params.country,
      topics: params.field ? [params.field] : null,
      industry: params.industry,
      hIndex: hmin !== null ? { min: hmin } : null,
      activeSince: since,
    },
    first: PAGE,
    after,
  });
  return (
    <Loaded state={state}>
      {(data) => {
        const answer = data.searchScientists;
        if (answer.__typename !== "ScientistSearchConnection") return <Failure message={answer.message} />;
        return (
          <ResultPage
            params={params}
            after={after}
            pageInfo={answer.pageInfo}
            total={answer.totalCount}
            count={t("search.scientistCount", { count: formatNumber(lang, answer.totalCount) })}
          >
              {answer.edges.map(({ node }) => {
                const latest = [...node.affiliations].sort((a, b) => (b.endYear ?? 0) - (a.endYear ?? 0))[0];
                return (
                  <li key={node.id}>
                    <Link href={entityHref("scientist", node.id)} data-id={node.id}>
                      <Name name={node.name} others={node.alternativeNames} />
                    </Link>
                    {latest && (
                      <span class="muted">
                        {" · "}
                        <Name name={latest.institution.name} others={[latest.institution.nameZh]} />
                      </span>
                    )}
                    <span class="metrics">
                      {t("metric.hIndex")} {formatNumber(lang, node.hIndex)} · {t("metric.works")}{" "}
                      {formatNumber(lang, node.metrics.worksCount)}
                    </span>
                  </li>
                );
              })}
          </ResultPage>
        );
      }}
    </Loaded>
  );
}

function InstitutionResults({ params, after }: { params: Params; after: string | null }) {
  const { t, lang } = useI18n();
  const state = useQuery(SearchInstitutionsDocument, {
    query: params.q || null,
    filter: { country: params.country },
    first: PAGE,
    after,
  });
  return (
    <Loaded state={state}>
      {(data) => {
        const answer = data.searchInstitutions;
        if (answer.__typename !== "InstitutionSearchConnection") return <Failure message={answer.message} />;
        return (
          <ResultPage
            params={params}
            after={after}
            pageInfo={answer.pageInfo}
            total={answer.totalCount}
            count={t("search.institutionCount", { count: formatNumber(lang, answer.totalCount) })}
          >
              {answer.edges.map(({ node }) => (
                <li key={node.id}>
                  <Link href={entityHref("institution", node.id)} data-id={node.id}>
                    <Name name={node.name} others={[node.nameZh]} />
                  </Link>
                  <span class="muted">
                    {" · "}
                    {[node.city, node.countryCode, node.type].filter(Boolean).join(", ")}
                  </span>
                  <span class="metrics">
                    {t("metric.works")} {formatNumber(lang, node.worksCount)}
                  </span>
                </li>
              ))}
          </ResultPage>
        );
      }}
    </Loaded>
  );
}
