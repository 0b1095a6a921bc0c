// /district/<district id> (e.g. /district/cn/suzhou/kunshan): the district's focus industries and
// their segments with the district's gaps, the push lists it was sent (newest first, what was
// new since the last push marked, XLSX and CSV exports) and, for recruiters, its current
// recommendations with their reasons and a button to push them.
import { useState } from "preact/hooks";
import { Name } from "../../components/name";
import { Empty, ErrorBox, Failure, Loaded } from "../../components/status";
import { Tracked } from "../../components/tracked";
import { ApiError, download, request } from "../../client";
import {
  DistrictChainDocument,
  DistrictPushListsDocument,
  DistrictRecommendationsDocument,
  DistrictViewDocument,
  PushDistrictDocument,
  type DistrictPushListsQuery,
  type IndustryNamesFragment,
} from "../../gql/graphql";
import { formatDateTime, formatNumber, useI18n, type Key, type Lang } from "../../i18n";
import { reasonText } from "../../components/says";
import { useQuery } from "../../query";
import { href, Link } from "../../router";
import { useAccess } from "../../role";
import type { ViewProps } from "../types";

/** A segment's name in the page's language (lists pushed before Chinese names were kept: the
 * English one). */
function segmentName(lang: Lang, item: { segment: string; segmentName?: string | null; segmentNameZh?: string | null }): string {
  return (lang === "zh" ? item.segmentNameZh : null) ?? item.segmentName ?? item.segment;
}

export default function DistrictView({ location }: ViewProps) {
  const { t } = useI18n();
  const id = location.path.slice(1).join("/");
  const district = useQuery(DistrictViewDocument, { id }, { skip: !id });
  const access = useAccess();
  const [pushes, setPushes] = useState(0);
  if (!id) {
    return (
      <section class="view district">
        <h1>{t("district.title")}</h1>
        <Empty>{t("district.choose")}</Empty>
      </section>
    );
  }
  return (
    <section class="view district" aria-labelledby="view-title">
      <Loaded state={district}>
        {(data) => {
          const answer = data.region;
          if (answer.__typename !== "Region" || answer.kind !== "DISTRICT") {
            const message = answer.__typename === "Region" ? t("district.notDistrict", { id: answer.id }) : answer.message;
            return (
              <>
                <h1 id="view-title">{t("district.title")}</h1>
                <Failure message={message} />
              </>
            );
          }
          return (
            <>
              <h1 id="view-title" data-id={answer.id}>
                <Name name={answer.nameEn} others={[answer.nameZh]} />
              </h1>
              <p class="muted">
                {answer.id} · <Link href={href("/cases", { district: answer.id })}>{t("district.cases")}</Link>
              </p>
              {answer.parks.length > 0 && (
                <p data-testid="parks">
                  <strong>{t("district.parks")}</strong>{" "}
                  {answer.parks.map((p) => (
                    <span class="badge" key={p.nameEn}>
                      <Name name={p.nameEn} others={[p.nameZh]} />
                    </span>
                  ))}
                </p>
              )}
              <h2>{t("district.focus")}</h2>
              {answer.industries.length === 0 ? (
                <Empty>{t("district.noFocus")}</Empty>
              ) : (
                <div class="focus" data-testid="focus">
                  {answer.industries.map((industry) => (
                    <FocusIndustry key={industry.id} industry={industry} district={answer.id} />
                  ))}
                </div>
              )}
              <PushLists district={answer.id} revision={pushes} />
              {access === "write" && <Recommendations district={answer.id} onPushed={() => setPushes((n) => n + 1)} />}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function FocusIndustry({ industry, district }: { industry: IndustryNamesFragment; district: string }) {
  const { t, lang } = useI18n();
  const chain = useQuery(DistrictChainDocument, { industry: industry.id, district });
  return (
    <article class="focus-industry" data-id={industry.id}>
      <h3>
        <Link href={href(`/chain/${encodeURIComponent(industry.id)}`, { region: district })}>
          <Name name={industry.nameEn} others={[industry.nameZh]} />
        </Link>
      </h3>
      <Loaded state={chain}>
        {(data) => {
          const answer = data.talentChain;
          if (answer.__typename !== "TalentChain") return <Failure message={answer.message} />;
          return (
            <table class="segments-table">
              <caption>{t("district.segmentsCaption")}</caption>
              <thead>
                <tr>
                  <th>{t("district.segment")}</th>
                  <th>{t("chain.scientists")}</th>
                  <th>{t("chain.teams")}</th>
                  <th>{t("chain.institutions")}</th>
                  <th>{t("district.gap")}</th>
                </tr>
              </thead>
              <tbody>
                {answer.segments.map((s) => {
                  const counts = s.regionCounts;
                  const cell = (c: { inRegion: number; total: number } | undefined) =>
                    t("chain.inRegionOf", { inside: formatNumber(lang, c?.inRegion ?? 0), total: formatNumber(lang, c?.total ?? 0) });
                  return (
                    <tr key={s.segment.id} data-id={s.segment.id} data-gap={counts?.gap ? "1" : "0"} class={counts?.gap ? "gap" : ""}>
                      <td>{lang === "zh" ? s.segment.nameZh : s.segment.nameEn}</td>
                      <td>{cell(counts?.scientists)}</td>
                      <td>{cell(counts?.teams)}</td>
                      <td>{cell(counts?.institutions)}</td>
                      <td>{counts?.gap ? <strong class="gap-mark">{t("chain.gap")}</strong> : "–"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </article>
  );
}

type PushListNode = DistrictPushListsQuery["pushLists"]["edges"][number]["node"];

/** An export's link in the page's language: `?lang=zh` gives Chinese headers and reasons. */
function exportUrl(url: string, lang: Lang): string {
  return `${url}${url.includes("?") ? "&" : "?"}lang=${lang}`;
}

function PushLists({ district, revision }: { district: string; revision: number }) {
  const { t, lang } = useI18n();
  const lists = useQuery(DistrictPushListsDocument, { district }, { revision });
  return (
    <section aria-labelledby="push-title">
      <h2 id="push-title">{t("district.pushLists")}</h2>
      <Loaded state={lists}>
        {(data) =>
          data.pushLists.edges.length === 0 ? (
            <Empty>{t("district.noPushLists")}</Empty>
          ) : (
            <>
              <p class="muted count" data-testid="push-count" data-count={data.pushLists.totalCount}>
                {t("district.pushCount", { count: formatNumber(lang, data.pushLists.totalCount) })}
              </p>
              <ol class="push-lists" data-testid="push-lists">
                {data.pushLists.edges.map(({ node }) => (
                  <PushListItem key={node.id} list={node} />
                ))}
              </ol>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function PushListItem({ list }: { list: PushListNode }) {
  const { t, lang } = useI18n();
  const [failed, setFailed] = useState<ApiError | null>(null);
  const fresh = list.entries.filter((e) => e.newSinceLast).length;
  const xlsxUrl = exportUrl(list.xlsxUrl, lang);
  const csvUrl = exportUrl(list.xlsxUrl.replace(/\.xlsx$/, ".csv"), lang);
  const fetchFile = (url: string) => (event: MouseEvent) => {
    event.preventDefault();
    setFailed(null);
    download(url).catch((e: unknown) => setFailed(e instanceof ApiError ? e : new ApiError(String(e), "network")));
  };
  return (
    <li class="push-list" data-id={list.id} data-version={list.version}>
      <header>
        <h3>
          <span class="name">{segmentName(lang, list)}</span> · {t("district.version", { version: list.version })}
        </h3>
        <span class="muted">
          {t("district.pushedBy", { date: list.asOf, by: list.pushedBy, at: formatDateTime(lang, list.pushedAt) })}
        </span>{" "}
        <span class="badge">{t("district.newCount", { count: formatNumber(lang, fresh) })}</span>
        <span class="exports" role="group" aria-label={t("district.export")}>
          <a href={xlsxUrl} onClick={fetchFile(xlsxUrl)} data-testid="export-xlsx" class="button">
            {t("district.exportXlsx")}
          </a>
          <a href={csvUrl} onClick={fetchFile(csvUrl)} data-testid="export-csv" class="button">
            {t("district.exportCsv")}
          </a>
        </span>
      </header>
      {failed && <ErrorBox error={failed} />}
      <table class="entries">
        <thead>
          <tr>
            <th>{t("district.rank")}</th>
            <th>{t("district.candidate")}</th>
            <th>{t("district.kind")}</th>
            <th>{t("district.score")}</th>
            <th>{t("district.new")}</th>
          </tr>
        </thead>
        <tbody>
          {list.entries.map((e) => (
            <tr key={e.entityId} data-entity={e.entityId} data-new={e.newSinceLast ? "1" : "0"} class={e.newSinceLast ? "new" : ""}>
              <td>{e.rank}</td>
              <td>
                <Tracked id={e.entityId} kind={e.kind} name={e.name} />
              </td>
              <td>{t(`kind.${e.kind}` as Key)}</td>
              <td>{e.score.toFixed(3)}</td>
              <td>{e.newSinceLast ? <span class="badge new-badge">{t("district.newSinceLast")}</span> : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </li>
  );
}

function Recommendations({ district, onPushed }: { district: string; onPushed: () => void }) {
  const { t, lang } = useI18n();
  const [revision, setRevision] = useState(0);
  const found = useQuery(DistrictRecommendationsDocument, { district }, { revision });
  const [pushing, setPushing] = useState<"idle" | "busy" | ApiError | string>("idle");
  const push = () => {
    setPushing("busy");
    request(PushDistrictDocument, { district }).then(
      (data) => {
        if (data.push.__typename === "NotFound") setPushing(data.push.message);
        else {
          setPushing("idle");
          setRevision((n) => n + 1);
          onPushed();
        }
      },
      (e: unknown) => setPushing(e instanceof ApiError ? e : new ApiError(String(e), "network")),
    );
  };
  return (
    <section aria-labelledby="recommend-title">
      <h2 id="recommend-title">{t("district.recommendations")}</h2>
      <p>
        <button type="button" onClick={push} disabled={pushing === "busy"} data-testid="push-now">
          {t("district.pushNow")}
        </button>
      </p>
      {pushing instanceof ApiError && <ErrorBox error={pushing} />}
      {typeof pushing === "string" && pushing !== "idle" && pushing !== "busy" && <Failure message={pushing} />}
      <Loaded state={found}>
        {(data) => {
          const answer = data.recommendations;
          if (answer.__typename !== "RecommendationConnection") return <Failure message={answer.message} />;
          if (answer.edges.length === 0) return <Empty>{t("district.noRecommendations")}</Empty>;
          return (
            <>
              <p class="muted count" data-testid="recommend-count" data-count={answer.totalCount}>
                {t("district.recommendCount", { count: formatNumber(lang, answer.totalCount) })}
              </p>
              <ol class="recommendations" data-testid="recommendations">
                {answer.edges.map(({ node }) => (
                  <li key={`${node.kind}:${node.entityId}`} data-entity={node.entityId} data-score={node.score}>
                    <Tracked id={node.entityId} kind={node.kind} name={node.name} /> <span class="kind">{t(`kind.${node.kind}` as Key)}</span>{" "}
                    <span class="muted">
                      <span class="name">{segmentName(lang, node)}</span> · {t("district.score")} {node.score.toFixed(3)}
                    </span>
                    <ul class="reasons">
                      {node.reasons.map((r) => (
                        <li key={r.code} data-code={r.code}>
                          <span class="badge">{t(`reason.${r.code}` as Key)}</span>{" "}
                          <span class="reason-text">{reasonText(t, lang, r, segmentName(lang, node))}</span>
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
