// Beside the heat ranking: a region's talent flows (inflow, outflow, net and returnees per year,
// where the inflows came from) and the rising stars (early career, high momentum and impact).
import { decimal, percent } from "../../components/score";
import { Empty, Failure, Loaded } from "../../components/status";
import { RisingStarsViewDocument, TalentFlowsViewDocument } from "../../gql/graphql";
import { formatNumber, useI18n } from "../../i18n";
import { useQuery } from "../../query";
import { Link } from "../../router";

const YEARS = 10;
const ORIGINS = 5;

export function TalentFlows({ region, industry }: { region: string; industry: string | null }) {
  const { t, lang } = useI18n();
  const state = useQuery(TalentFlowsViewDocument, { region, industry });
  return (
    <section class="panel flows" aria-labelledby="flows-title" data-testid="talent-flows">
      <h2 id="flows-title">{t("flows.title", { region })}</h2>
      <Loaded state={state}>
        {(data) => {
          const f = data.talentFlows;
          if (f.__typename !== "TalentFlows") return <Failure message={f.message} />;
          if (f.byYear.length === 0) return <Empty>{t("flows.none")}</Empty>;
          return (
            <>
              <p class="muted" data-testid="flows-totals" data-inflow={f.inflow} data-outflow={f.outflow}>
                {t("flows.totals", {
                  inflow: formatNumber(lang, f.inflow),
                  outflow: formatNumber(lang, f.outflow),
                  returnees: formatNumber(lang, f.returnees),
                  years: formatNumber(lang, f.returneeYears),
                })}
              </p>
              <table data-testid="flows-years">
                <caption>{t("flows.caption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("heat.year")}</th>
                    <th scope="col">{t("flows.inflow")}</th>
                    <th scope="col">{t("flows.outflow")}</th>
                    <th scope="col">{t("flows.net")}</th>
                    <th scope="col">{t("flows.returnees")}</th>
                  </tr>
                </thead>
                <tbody>
                  {f.byYear.slice(-YEARS).map((y) => (
                    <tr key={y.year} data-year={y.year}>
                      <th scope="row">{y.year}</th>
                      <td>{formatNumber(lang, y.inflow)}</td>
                      <td>{formatNumber(lang, y.outflow)}</td>
                      <td>{formatNumber(lang, y.net)}</td>
                      <td>{formatNumber(lang, y.returnees)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p class="muted">
                {t("flows.origins")}{" "}
                {f.origins.slice(0, ORIGINS).map((o, i) => (
                  <span key={o.institutionId}>
                    {i > 0 && " · "}
                    <Link href={`/institution/${encodeURIComponent(o.institutionId)}`}>
                      {o.name ?? o.institutionId}
                    </Link>{" "}
                    ({o.countryCode ?? "?"}, {formatNumber(lang, o.moves)})
                  </span>
                ))}
              </p>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

export function RisingStars({ region }: { region: string | null }) {
  const { t, lang } = useI18n();
  const state = useQuery(RisingStarsViewDocument, { region, first: 10 });
  return (
    <section class="panel rising" aria-labelledby="rising-title" data-testid="rising-stars">
      <h2 id="rising-title">{t("rising.title")}</h2>
      <p class="muted">{t("rising.help")}</p>
      <Loaded state={state}>
        {(data) => {
          const r = data.risingStars;
          if (r.__typename !== "RisingStarConnection") return <Failure message={r.message} />;
          if (r.edges.length === 0) return <Empty>{t("rising.none")}</Empty>;
          return (
            <table>
              <caption>{t("rising.caption", { count: formatNumber(lang, r.totalCount) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("rising.name")}</th>
                  <th scope="col">{t("rising.careerAge")}</th>
                  <th scope="col">{t("rising.momentum")}</th>
                  <th scope="col">{t("rising.impact")}</th>
                  <th scope="col">{t("rising.score")}</th>
                </tr>
              </thead>
              <tbody>
                {r.edges.map((e) => (
                  <tr key={e.node.id} data-id={e.node.id}>
                    <th scope="row">
                      <Link href={`/scientist/${encodeURIComponent(e.node.id)}`}>{e.node.name}</Link>
                    </th>
                    <td>{formatNumber(lang, e.careerAge)}</td>
                    <td>{percent(lang, e.momentumPercentile)}</td>
                    <td>{percent(lang, e.impactPercentile)}</td>
                    <td>{decimal(lang, e.score, 3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </section>
  );
}
