// /chain/<industry>?region=…: the chain's segments in order, upstream first, each with the top
// scientists, teams and institutions worldwide, how many sit in the region, gaps marked.
import type { ComponentChildren } from "preact";
import { Name } from "../../components/name";
import { HOME } from "../../components/region";
import { Empty, Failure, Loaded } from "../../components/status";
import { NamedOptions } from "../../components/options";
import { IndustriesDocument, TalentChainViewDocument, type TalentChainViewQuery } from "../../gql/graphql";
import { formatNumber, useI18n, type Key } from "../../i18n";
import { useQuery } from "../../query";
import { entityHref, href, Link, navigate } from "../../router";
import type { ViewProps } from "../types";

const TOP = 5;

type Chain = Extract<TalentChainViewQuery["talentChain"], { __typename: "TalentChain" }>;
type SegmentTalent = Chain["segments"][number];

export default function ChainView({ location }: ViewProps) {
  const { t, lang } = useI18n();
  const industry = location.path[1] ?? null;
  const region = location.query.get("region") ?? HOME;
  const chain = useQuery(TalentChainViewDocument, { industry: industry ?? "", region, first: TOP }, { skip: !industry });
  return (
    <section class="view chain" aria-labelledby="view-title">
      <h1 id="view-title">{t("chain.title")}</h1>
      <ChainControls industry={industry} region={region} />
      {!industry ? (
        <Empty>{t("chain.choose")}</Empty>
      ) : (
        <Loaded state={chain}>
          {(data) => {
            const answer = data.talentChain;
            if (answer.__typename !== "TalentChain") return <Failure message={answer.message} />;
            return (
              <>
                <h2>
                  <Name name={answer.industry.nameEn} others={[answer.industry.nameZh]} />
                </h2>
                <p class="muted">{t("chain.explain", { region })}</p>
                <ol class="segments" data-testid="segments">
                  {answer.segments.map((s) => (
                    <Segment key={s.segment.id} item={s} industry={answer.industry.id} region={region} />
                  ))}
                </ol>
                {answer.segments.length === 0 && <Empty />}
                <p class="muted">{t("chain.totals", { count: formatNumber(lang, answer.segments.length) })}</p>
              </>
            );
          }}
        </Loaded>
      )}
    </section>
  );
}

function ChainControls({ industry, region }: { industry: string | null; region: string }) {
  const { t } = useI18n();
  const industries = useQuery(IndustriesDocument, {});
  return (
    <form class="controls" onSubmit={(e) => e.preventDefault()}>
      <label>
        {t("map.industry")}
        <select
          value={industry ?? ""}
          onChange={(e) => navigate(href(`/chain/${encodeURIComponent(e.currentTarget.value)}`, { region }))}
        >
          {!industry && <option value="">{t("chain.choose")}</option>}
          {industries.status === "done" && <NamedOptions items={industries.data.industries} />}
        </select>
      </label>
      <label>
        {t("map.region")}
        <input
          value={region}
          onChange={(e) => navigate(href(`/chain/${encodeURIComponent(industry ?? "")}`, { region: e.currentTarget.value }))}
        />
      </label>
    </form>
  );
}

function Segment({ item: s, industry, region }: { item: SegmentTalent; industry: string; region: string }) {
  const { t, lang } = useI18n();
  const counts = s.regionCounts;
  return (
    <li class={counts?.gap ? "segment gap" : "segment"} data-id={s.segment.id}>
      <header>
        <h3>
          <span class="order">{s.segment.order}</span> {lang === "zh" ? s.segment.nameZh : s.segment.nameEn}
        </h3>
        <span class="stage">{t(`stage.${s.segment.stage}` as Key)}</span>
        {counts?.gap && <strong class="gap-mark">{t("chain.gap")}</strong>}
      </header>
      <div class="kinds">
        <Ranked
          title={t("chain.scientists")}
          total={s.scientists.totalCount}
          inRegion={counts?.scientists.inRegion}
          items={s.scientists.edges.map((e) => ({
            id: e.node.id,
            link: entityHref("scientist", e.node.id),
            name: <Name name={e.node.name} others={e.node.alternativeNames} />,
            works: e.matchingWorks,
            inRegion: e.inRegion,
          }))}
        />
        <Ranked
          title={t("chain.teams")}
          total={s.teams.totalCount}
          inRegion={counts?.teams.inRegion}
          items={s.teams.edges.map((e) => ({
            id: e.node.id,
            link: entityHref("team", e.node.id),
            name: <>{e.node.name}</>,
            works: e.matchingWorks,
            inRegion: e.inRegion,
          }))}
        />
        <Ranked
          title={t("chain.institutions")}
          total={s.institutions.totalCount}
          inRegion={counts?.institutions.inRegion}
          items={s.institutions.edges.map((e) => ({
            id: e.node.id,
            link: entityHref("institution", e.node.id),
            name: <Name name={e.node.name} others={[e.node.nameZh]} />,
            works: e.matchingWorks,
            inRegion: e.inRegion,
          }))}
        />
      </div>
      <p class="muted">
        <Link href={href("/map", { industry, segment: s.segment.id, region })}>{t("chain.onMap")}</Link>
      </p>
    </li>
  );
}

interface RankedItem {
  id: string;
  link: string;
  name: ComponentChildren;
  works: number;
  inRegion?: boolean | null;
}

function Ranked({ title, total, inRegion, items }: { title: string; total: number; inRegion?: number | null; items: RankedItem[] }) {
  const { t, lang } = useI18n();
  return (
    <div class="kind-list">
      <h4>
        {title}{" "}
        <span class="muted" data-total={total}>
          {t("chain.inRegionOf", { inside: formatNumber(lang, inRegion ?? 0), total: formatNumber(lang, total) })}
        </span>
      </h4>
      {items.length === 0 ? (
        <p class="muted">{t("chain.nobody")}</p>
      ) : (
        <ol>
          {items.map((item) => (
            <li key={item.id} class={item.inRegion ? "inside" : ""}>
              <Link href={item.link} data-id={item.id}>
                {item.name}
              </Link>{" "}
              <span class="muted">{t("chain.matchingWorks", { count: item.works })}</span>
              {item.inRegion && <span class="badge inside-badge">{t("chain.here")}</span>}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
