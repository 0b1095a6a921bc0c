// /cases?district=…&year=…: the case board, a column per stage; a recruiter drags a card to
// its next stage (or uses the card's "move to" control, by keyboard too), which calls moveCase
// with the version the card was read at, so a change someone made meanwhile shows as a version
// conflict; the region's targets progress above. /case/<id>: one case and its timeline.
import { useState } from "preact/hooks";
import { HOME } from "../../components/region";
import { Empty, Failure, Loaded } from "../../components/status";
import { CaseBoardDocument, TargetsProgressViewDocument, type CaseCardFragment, type CaseStage } from "../../gql/graphql";
import { formatNumber, useI18n, type Key } from "../../i18n";
import { useQuery } from "../../query";
import { href, navigate } from "../../router";
import { useAccess } from "../../role";
import type { ViewProps } from "../types";
import { CaseCard, CaseView, nextStage, STAGES } from "./card";
import { NewCase } from "./form";
import { usePlaceNames } from "./places";

export default function CasesRoute({ location }: ViewProps) {
  if (location.path[0] === "case") return <CaseView id={location.path.slice(1).join("/")} />;
  if (location.path[1] === "new") return <NewCase query={location.query} />;
  return <Board district={location.query.get("district") ?? ""} year={Number(location.query.get("year") ?? "2025")} />;
}

function Board({ district, year }: { district: string; year: number }) {
  const { t, lang } = useI18n();
  const [revision, setRevision] = useState(0);
  const board = useQuery(CaseBoardDocument, { district: district || null }, { revision });
  const access = useAccess();
  const [dragging, setDragging] = useState<CaseCardFragment | null>(null);
  const [moves, setMoves] = useState<Record<string, CaseStage>>({});
  const region = district ? district.split("/").slice(0, 2).join("/") : HOME;
  const drag: Drag = {
    canWrite: access === "write",
    dragging,
    setDragging,
    moves,
    drop: (id, stage) => setMoves((m) => ({ ...m, [id]: stage })),
    moved: (id) => {
      setMoves((all) => {
        const rest = { ...all };
        delete rest[id];
        return rest;
      });
      setRevision((n) => n + 1);
    },
  };
  return (
    <section class="view cases" aria-labelledby="view-title">
      <h1 id="view-title">{t("cases.title")}</h1>
      <DistrictForm district={district} year={year} />
      <Targets region={region} year={year} revision={revision} />
      <Loaded state={board}>
        {(data) => {
          const cases = data.cases.edges.map((e) => e.node);
          return (
            <>
              <p class="muted count" data-testid="case-count" data-count={data.cases.totalCount}>
                {t("cases.count", { count: formatNumber(lang, data.cases.totalCount) })}
              </p>
              {cases.length === 0 && <Empty>{t("cases.none")}</Empty>}
              <div class="board" data-testid="board">
                {STAGES.map((stage) => (
                  <Column key={stage} stage={stage} cases={cases.filter((c) => c.stage === stage)} drag={drag} />
                ))}
              </div>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function DistrictForm({ district, year }: { district: string; year: number }) {
  const { t } = useI18n();
  return (
    <form
      class="controls"
      onSubmit={(e) => {
        e.preventDefault();
        const value = new FormData(e.currentTarget).get("district");
        navigate(href("/cases", { district: String(value ?? ""), year }));
      }}
    >
      <label>
        {t("cases.district")}
        <input name="district" defaultValue={district} placeholder="cn/suzhou/kunshan" />
      </label>
      <button type="submit">{t("cases.show")}</button>
    </form>
  );
}

/** The board's drag state, shared by its columns: who is dragged, where cards were dropped. */
interface Drag {
  canWrite: boolean;
  dragging: CaseCardFragment | null;
  setDragging: (c: CaseCardFragment | null) => void;
  moves: Record<string, CaseStage>;
  drop: (id: string, stage: CaseStage) => void;
  moved: (id: string) => void;
}

function Column({ stage, cases, drag }: { stage: CaseStage; cases: CaseCardFragment[]; drag: Drag }) {
  const { t, lang } = useI18n();
  const { dragging } = drag;
  const accepts = drag.canWrite && dragging !== null && nextStage(dragging.stage) === stage;
  return (
    <section
      class={accepts ? "column accepts" : "column"}
      data-stage={stage}
      aria-label={t(`case.stage.${stage}` as Key)}
      onDragOver={(e) => accepts && e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        if (accepts && dragging) drag.drop(dragging.id, stage);
        drag.setDragging(null);
      }}
    >
      <h2>
        {t(`case.stage.${stage}` as Key)} <span class="count">{formatNumber(lang, cases.length)}</span>
      </h2>
      <ol>
        {cases.map((c) => (
          <CaseCard
            key={`${c.id}:${c.version}`}
            item={c}
            canWrite={drag.canWrite}
            dropped={drag.moves[c.id]}
            onDragStart={() => drag.setDragging(c)}
            onDragEnd={() => drag.setDragging(null)}
            onMoved={() => drag.moved(c.id)}
          />
        ))}
      </ol>
    </section>
  );
}

function Targets({ region, year, revision }: { region: string; year: number; revision: number }) {
  const { t, lang } = useI18n();
  const progress = useQuery(TargetsProgressViewDocument, { region, year }, { revision });
  const place = usePlaceNames();
  return (
    <section aria-labelledby="targets-title" class="targets">
      <h2 id="targets-title" data-region={region}>
        {t("cases.targets", { region: place(region), year })}
      </h2>
      <Loaded state={progress}>
        {(data) => {
          const answer = data.targetsProgress;
          if (answer.__typename !== "TargetsProgress") return <Failure message={answer.message} />;
          if (answer.targets.length === 0) return <Empty>{t("cases.noTargets")}</Empty>;
          return (
            <table data-testid="targets">
              <thead>
                <tr>
                  <th>{t("cases.goal")}</th>
                  <th>{t("cases.landed")}</th>
                  <th>{t("cases.target")}</th>
                  <th>{t("cases.share")}</th>
                </tr>
              </thead>
              <tbody>
                {answer.targets.map((goal) => (
                  <tr key={goal.id} data-id={goal.id} data-landed={goal.landed} data-target={goal.target}>
                    <td>{lang === "zh" ? goal.nameZh : goal.nameEn}</td>
                    <td>{formatNumber(lang, goal.landed)}</td>
                    <td>
                      {t(`cases.qualifier.${goal.qualifier}` as Key)} {formatNumber(lang, goal.target)}
                    </td>
                    <td>
                      <progress max={1} value={Math.min(goal.share, 1)} aria-label={lang === "zh" ? goal.nameZh : goal.nameEn} />{" "}
                      {(goal.share * 100).toFixed(1)}%
                    </td>
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
