// A case on the board (its move control, the conflict it may meet) and a case's own page with
// its timeline.
import { useEffect, useState } from "preact/hooks";
import { ErrorBox, Failure, Loaded } from "../../components/status";
import { Tracked } from "../../components/tracked";
import { ApiError, request } from "../../client";
import { CaseViewDocument, MoveCaseDocument, type CaseCardFragment, type CaseStage, type CaseViewQuery } from "../../gql/graphql";
import { useI18n, type Key } from "../../i18n";
import { useQuery } from "../../query";
import { href, Link } from "../../router";
import { useAccess } from "../../role";
import { EditCase, type CaseFields } from "./form";
import { usePlaceNames } from "./places";
import { Timeline } from "./timeline";

export const STAGES: CaseStage[] = ["IDENTIFIED", "CONTACTED", "VISITED", "NEGOTIATING", "AGREED", "LANDED", "DROPPED"];
const PIPELINE = STAGES.slice(0, 6);

/** The stage a case may move to next (LANDED and DROPPED close it). */
export function nextStage(stage: CaseStage): CaseStage | null {
  const at = PIPELINE.indexOf(stage);
  return at >= 0 && at < PIPELINE.length - 1 ? PIPELINE[at + 1] : null;
}

type Problem = { kind: "conflict"; message: string; current: number } | { kind: "refused"; message: string } | ApiError;

interface CardProps {
  item: CaseCardFragment;
  canWrite: boolean;
  dropped?: CaseStage;
  onDragStart: () => void;
  onDragEnd: () => void;
  onMoved: () => void;
}

/** Moving a case at the version it was read at: the move, its state and what went wrong. */
function useMove(item: CaseCardFragment, onMoved: () => void) {
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const move = (stage: CaseStage) => {
    setBusy(true);
    setProblem(null);
    request(MoveCaseDocument, { id: item.id, version: item.version, stage, note: note.trim() || null }).then(
      (data) => {
        setBusy(false);
        const answer = data.moveCase;
        if (answer.__typename === "Case") onMoved();
        else if (answer.__typename === "VersionConflict") setProblem({ kind: "conflict", message: answer.message, current: answer.currentVersion });
        else setProblem({ kind: "refused", message: answer.message });
      },
      (e: unknown) => {
        setBusy(false);
        setProblem(e instanceof ApiError ? e : new ApiError(String(e), "network"));
      },
    );
  };
  return { move, note, setNote, problem, busy };
}

export function CaseCard({ item, canWrite, dropped, onDragStart, onDragEnd, onMoved }: CardProps) {
  const { t } = useI18n();
  const next = nextStage(item.stage);
  const open = item.stage !== "LANDED" && item.stage !== "DROPPED";
  const { move, note, setNote, problem, busy } = useMove(item, onMoved);
  useEffect(() => {
    if (dropped) move(dropped);
  }, [dropped]);
  return (
    <li
      class={`card${item.overdue ? " overdue" : ""}`}
      data-id={item.id}
      data-version={item.version}
      data-stage={item.stage}
      draggable={canWrite && next !== null}
      onDragStart={(e) => {
        e.dataTransfer?.setData("text/plain", item.id);
        onDragStart();
      }}
      onDragEnd={onDragEnd}
    >
      <h3>
        <Tracked id={item.targetId} kind={item.targetKind} entity={item.target} />
      </h3>
      <p class="muted">
        <span class="badge">{t(`case.programme.${item.programme}` as Key)}</span>{" "}
        <span class="badge">{t(`case.priority.${item.priority}` as Key)}</span>{" "}
        {item.tier && <span class="badge tier">{t(`tier.${item.tier}` as Key)}</span>}
      </p>
      <p class="muted">
        {t("case.owner", { owner: item.owner })} · {t("case.version", { version: item.version })}
      </p>
      {item.nextAction && (
        <p>
          {t("case.next", { action: item.nextAction, due: item.nextActionDue ?? "–" })}{" "}
          {item.overdue && <strong class="gap-mark">{t("case.overdue")}</strong>}
        </p>
      )}
      <p>
        <Link href={`/case/${encodeURIComponent(item.id)}`}>{t("case.open")}</Link>
      </p>
      {canWrite && open && <MoveForm next={next} busy={busy} onMove={move} note={note} setNote={setNote} />}
      {problem && <MoveProblem problem={problem} onReload={onMoved} />}
    </li>
  );
}

interface MoveFormProps {
  next: CaseStage | null;
  busy: boolean;
  note: string;
  setNote: (note: string) => void;
  onMove: (stage: CaseStage) => void;
}

/** The keyboard's way to move a card: the next stage or DROPPED (with a reason). */
function MoveForm({ next, busy, note, setNote, onMove }: MoveFormProps) {
  const { t } = useI18n();
  const [target, setTarget] = useState<CaseStage>(next ?? "DROPPED");
  return (
    <form
      class="move"
      onSubmit={(e) => {
        e.preventDefault();
        onMove(target);
      }}
    >
      <label>
        {t("case.moveTo")}
        <select value={target} onChange={(e) => setTarget(e.currentTarget.value as CaseStage)} data-testid="move-select">
          {next && <option value={next}>{t(`case.stage.${next}` as Key)}</option>}
          <option value="DROPPED">{t("case.stage.DROPPED")}</option>
        </select>
      </label>
      <label>
        {target === "DROPPED" ? t("case.reason") : t("case.note")}
        <input value={note} onInput={(e) => setNote(e.currentTarget.value)} required={target === "DROPPED"} />
      </label>
      <button type="submit" disabled={busy}>
        {t("case.move")}
      </button>
    </form>
  );
}

function MoveProblem({ problem, onReload }: { problem: Problem; onReload: () => void }) {
  const { t } = useI18n();
  if (problem instanceof ApiError) return <ErrorBox error={problem} />;
  if (problem.kind === "refused") return <Failure message={problem.message} />;
  return (
    <div class="state error conflict" role="alert" data-testid="conflict" data-current={problem.current}>
      <strong>{t("case.conflict", { version: problem.current })}</strong>
      <p>{problem.message}</p>
      <button type="button" onClick={onReload}>
        {t("case.reload")}
      </button>
    </div>
  );
}

/** The case page's move control (recruiters): the next stage, or DROPPED with a reason. */
function CaseMove({ item, onMoved }: { item: CaseCardFragment; onMoved: () => void }) {
  const { t } = useI18n();
  const { move, note, setNote, problem, busy } = useMove(item, onMoved);
  if (item.stage === "LANDED" || item.stage === "DROPPED") return null;
  return (
    <section aria-labelledby="move-title" data-testid="case-move">
      <h2 id="move-title">{t("case.move")}</h2>
      <MoveForm next={nextStage(item.stage)} busy={busy} onMove={move} note={note} setNote={setNote} />
      {problem && <MoveProblem problem={problem} onReload={onMoved} />}
    </section>
  );
}

function formFields(item: CaseViewFields): CaseFields {
  return {
    district: item.district,
    park: item.park ?? "",
    programme: item.programme,
    tier: item.tier ?? "",
    priority: item.priority,
    nextAction: item.nextAction ?? "",
    nextActionDue: item.nextActionDue ?? "",
    notes: item.notes ?? "",
    links: item.links.join("\n"),
  };
}

type CaseViewFields = CaseCardFragment & { notes?: string | null; links: string[] };

type CaseViewCase = Extract<CaseViewQuery["case"], { __typename: "Case" }>;

export function CaseView({ id }: { id: string }) {
  const { t } = useI18n();
  const [revision, setRevision] = useState(0);
  const found = useQuery(CaseViewDocument, { id }, { revision });
  const access = useAccess();
  const reload = () => setRevision((n) => n + 1);
  return (
    <section class="view case" aria-labelledby="view-title">
      <Loaded state={found}>
        {(data) => {
          const item = data.case;
          if (item.__typename !== "Case") {
            return (
              <>
                <h1 id="view-title">{t("case.title")}</h1>
                <Failure message={item.message} />
              </>
            );
          }
          return (
            <>
              <h1 id="view-title">
                <Tracked id={item.targetId} kind={item.targetKind} entity={item.target} />
              </h1>
              <p class="muted">
                <Link href={href("/cases", { district: item.district })}>{t("case.board")}</Link> · {item.id}
              </p>
              <CaseFacts item={item} />
              {item.notes && <p class="notes">{item.notes}</p>}
              {item.links.length > 0 && (
                <ul class="links" data-testid="case-links">
                  {item.links.map((l) => (
                    <li key={l}>
                      <a href={l} rel="noreferrer">
                        {l}
                      </a>
                    </li>
                  ))}
                </ul>
              )}
              {access === "write" && (
                <div class="case-desk">
                  <CaseMove key={`move:${item.version}`} item={item} onMoved={reload} />
                  <EditCase key={`edit:${item.version}`} id={item.id} version={item.version} current={formFields(item)} onSaved={reload} />
                </div>
              )}
              <Timeline events={item.events} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function CaseFacts({ item }: { item: CaseViewCase }) {
  const { t } = useI18n();
  const place = usePlaceNames();
  return (
    <dl class="facts" data-testid="case-facts">
      <dt>{t("case.stageLabel")}</dt>
      <dd data-testid="case-stage" data-stage={item.stage}>
        {t(`case.stage.${item.stage}` as Key)}
      </dd>
      <dt>{t("case.versionLabel")}</dt>
      <dd data-testid="case-version">{item.version}</dd>
      <dt>{t("cases.district")}</dt>
      <dd>
        <Link href={`/district/${item.district}`} data-testid="case-district" data-id={item.district}>
          {place(item.district)}
        </Link>
        {item.park && ` · ${item.park}`}
      </dd>
      <dt>{t("case.programmeLabel")}</dt>
      <dd>{t(`case.programme.${item.programme}` as Key)}</dd>
      <dt>{t("case.ownerLabel")}</dt>
      <dd>{item.owner}</dd>
      <dt>{t("caseForm.priority")}</dt>
      <dd data-testid="case-priority" data-value={item.priority}>
        {t(`case.priority.${item.priority}` as Key)}
      </dd>
      {item.nextAction && (
        <>
          <dt>{t("caseForm.nextAction")}</dt>
          <dd data-testid="case-next">{t("case.next", { action: item.nextAction, due: item.nextActionDue ?? "–" })}</dd>
        </>
      )}
      {item.dropReason && (
        <>
          <dt>{t("case.reason")}</dt>
          <dd>{item.dropReason}</dd>
        </>
      )}
    </dl>
  );
}
