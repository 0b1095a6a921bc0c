// Opening a case (/cases/new?target=…&kind=SCIENTIST|TEAM|INSTITUTION, linked from a profile) and
// changing one on its page, with the API's createCase and updateCase: recruiters and admins only
// (the page hides the forms from a viewer; the API refuses others' cases with its reason, and
// audits every write). An update sends the version the page read and only the fields changed,
// so a change made meanwhile shows as a version conflict.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, request } from "../../client";
import { Name } from "../../components/name";
import { HOME, regionName } from "../../components/region";
import { ErrorBox, Failure, Loaded } from "../../components/status";
import {
  CaseDistrictsDocument,
  CaseTargetDocument,
  CreateCaseDocument,
  UpdateCaseDocument,
  type CaseInput,
  type CasePriority,
  type CaseTargetKind,
  type CaseUpdate,
  type Programme,
  type TalentTier,
} from "../../gql/graphql";
import { useI18n, type Key } from "../../i18n";
import { useQuery } from "../../query";
import { navigate } from "../../router";
import { useAccess } from "../../role";

const KINDS: CaseTargetKind[] = ["SCIENTIST", "TEAM", "INSTITUTION"];
const PROGRAMMES: Programme[] = ["TALENT", "COOPERATION", "ENTERPRISE"];
const PRIORITIES: CasePriority[] = ["NORMAL", "HIGH", "LOW"];
const TIERS: TalentTier[] = ["TOP", "LEADING", "YOUNG", "ENGINEER"];

/** The fields both forms edit, as the form holds them (text; '' for none). */
export interface CaseFields {
  district: string;
  park: string;
  programme: Programme;
  tier: string;
  priority: CasePriority;
  nextAction: string;
  nextActionDue: string;
  notes: string;
  links: string;
}

const EMPTY: CaseFields = {
  district: "",
  park: "",
  programme: "TALENT",
  tier: "",
  priority: "NORMAL",
  nextAction: "",
  nextActionDue: "",
  notes: "",
  links: "",
};

type Outcome = { kind: "refused"; message: string } | { kind: "conflict"; current: number } | ApiError | null;

function linesOf(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The API's values of the fields (null for none). */
function values(f: CaseFields) {
  return {
    district: f.district,
    park: f.park.trim() || null,
    programme: f.programme,
    tier: (f.tier || null) as TalentTier | null,
    priority: f.priority,
    nextAction: f.nextAction.trim() || null,
    nextActionDue: f.nextActionDue || null,
    notes: f.notes.trim() || null,
    links: linesOf(f.links),
  };
}

/** The fields of `after` that differ from `before`, as a CaseUpdate. */
export function changes(before: CaseFields, after: CaseFields): CaseUpdate {
  const [was, now] = [values(before), values(after)];
  const update: Record<string, unknown> = {};
  for (const name of Object.keys(now) as (keyof typeof now)[]) {
    if (JSON.stringify(was[name]) !== JSON.stringify(now[name])) update[name] = now[name];
  }
  return update as CaseUpdate;
}

function Fields({ fields, set }: { fields: CaseFields; set: (f: CaseFields) => void }) {
  const { t, lang } = useI18n();
  const districts = useQuery(CaseDistrictsDocument, { city: HOME });
  const choices = districts.status === "done" && districts.data.region.__typename === "Region" ? districts.data.region.districts : [];
  const bind = (name: keyof CaseFields) => ({
    name,
    value: fields[name],
    onInput: (e: JSX.TargetedEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => set({ ...fields, [name]: e.currentTarget.value }),
  });
  return (
    <>
      <label>
        {t("cases.district")}
        <select {...bind("district")} required>
          <option value="">{t("caseForm.chooseDistrict")}</option>
          {choices.map((d) => (
            <option key={d.id} value={d.id}>
              {regionName(lang, d)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("caseForm.park")}
        <input {...bind("park")} />
      </label>
      <label>
        {t("case.programmeLabel")}
        <select {...bind("programme")}>
          {PROGRAMMES.map((p) => (
            <option key={p} value={p}>
              {t(`case.programme.${p}` as Key)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("caseForm.tier")}
        <select {...bind("tier")}>
          <option value="">{t("tier.none")}</option>
          {TIERS.map((tier) => (
            <option key={tier} value={tier}>
              {t(`tier.${tier}` as Key)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("caseForm.priority")}
        <select {...bind("priority")}>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {t(`case.priority.${p}` as Key)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("caseForm.nextAction")}
        <input {...bind("nextAction")} />
      </label>
      <label>
        {t("caseForm.due")}
        <input type="date" {...bind("nextActionDue")} />
      </label>
      <label class="wide">
        {t("caseForm.notes")}
        <textarea rows={3} {...bind("notes")} />
      </label>
      <label class="wide">
        {t("caseForm.links")}
        <textarea rows={2} {...bind("links")} />
      </label>
    </>
  );
}

function OutcomeBox({ outcome, onReload }: { outcome: Outcome; onReload?: () => void }) {
  const { t } = useI18n();
  if (outcome === null) return null;
  if (outcome instanceof ApiError) return <ErrorBox error={outcome} />;
  if (outcome.kind === "refused") return <Refused message={outcome.message} />;
  return (
    <div class="state error conflict" role="alert" data-testid="conflict" data-current={outcome.current}>
      <strong>{t("case.conflict", { version: outcome.current })}</strong>{" "}
      <button type="button" onClick={onReload}>
        {t("case.reload")}
      </button>
    </div>
  );
}

function Refused({ message }: { message: string }) {
  const { t } = useI18n();
  return (
    <div class="state error" role="alert">
      <strong>{t("caseForm.refused")}</strong>
      <p>{message}</p>
    </div>
  );
}

function failed(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(String(e), "network");
}

/** /cases/new?target=…&kind=…: a new case for a scientist, team or institution. */
export function NewCase({ query }: { query: URLSearchParams }) {
  const { t } = useI18n();
  const access = useAccess();
  const target = query.get("target") ?? "";
  const kind = KINDS.find((k) => k === query.get("kind")) ?? "SCIENTIST";
  const [fields, setFields] = useState<CaseFields>({ ...EMPTY, district: query.get("district") ?? "" });
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setOutcome(null);
    const input: CaseInput = { target, targetKind: kind, ...values(fields), programme: fields.programme, priority: fields.priority };
    request(CreateCaseDocument, { input }).then(
      (data) => {
        setBusy(false);
        const answer = data.createCase;
        if (answer.__typename === "Case") navigate(`/case/${encodeURIComponent(answer.id)}`);
        else setOutcome({ kind: "refused", message: answer.message });
      },
      (error: unknown) => {
        setBusy(false);
        setOutcome(failed(error));
      },
    );
  };
  return (
    <section class="view case-new" aria-labelledby="view-title">
      <h1 id="view-title">{t("caseForm.title")}</h1>
      <TargetName id={target} kind={kind} />
      {access === "read" ? (
        <Refused message={t("caseForm.recruitersOnly")} />
      ) : (
        <form class="case-form" data-testid="case-form" onSubmit={submit}>
          <Fields fields={fields} set={setFields} />
          <p>
            <button type="submit" disabled={busy || !target}>
              {t("caseForm.create")}
            </button>
          </p>
          <OutcomeBox outcome={outcome} />
        </form>
      )}
    </section>
  );
}

function TargetName({ id, kind }: { id: string; kind: CaseTargetKind }) {
  const { t } = useI18n();
  const found = useQuery(CaseTargetDocument, { id, scientist: kind === "SCIENTIST", team: kind === "TEAM", institution: kind === "INSTITUTION" }, { skip: !id });
  if (!id) return <Failure message={t("caseForm.noTarget")} />;
  return (
    <Loaded state={found}>
      {(data) => {
        const entity = data.scientist ?? data.team ?? data.institution;
        if (!entity) return null;
        if (entity.__typename === "NotFound" || entity.__typename === "InvalidId") return <Failure message={entity.message} />;
        const name = entity.__typename === "Scientist" ? <Name name={entity.name} others={entity.alternativeNames} /> : entity.__typename === "Institution" ? <Name name={entity.name} others={[entity.nameZh]} /> : <>{entity.name}</>;
        return (
          <p data-testid="case-target" data-id={entity.id}>
            <span class="kind">{t(`kind.${kind}` as Key)}</span> {name}
          </p>
        );
      }}
    </Loaded>
  );
}

/** The case page's form: change its fields at the version read. */
export function EditCase({ id, version, current, onSaved }: { id: string; version: number; current: CaseFields; onSaved: () => void }) {
  const { t } = useI18n();
  const [fields, setFields] = useState<CaseFields>(current);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: Event) => {
    e.preventDefault();
    const input = changes(current, fields);
    if (Object.keys(input).length === 0) return;
    setBusy(true);
    setOutcome(null);
    request(UpdateCaseDocument, { id, version, input }).then(
      (data) => {
        setBusy(false);
        const answer = data.updateCase;
        if (answer.__typename === "Case") onSaved();
        else if (answer.__typename === "VersionConflict") setOutcome({ kind: "conflict", current: answer.currentVersion });
        else setOutcome({ kind: "refused", message: answer.message });
      },
      (error: unknown) => {
        setBusy(false);
        setOutcome(failed(error));
      },
    );
  };
  return (
    <form class="case-form" data-testid="case-edit" onSubmit={submit} aria-labelledby="edit-title">
      <h2 id="edit-title">{t("caseForm.edit")}</h2>
      <Fields fields={fields} set={setFields} />
      <p>
        <button type="submit" disabled={busy}>
          {t("caseForm.save")}
        </button>
      </p>
      <OutcomeBox outcome={outcome} onReload={onSaved} />
    </form>
  );
}
