// A case's timeline: every change, who, when, from what to what, in the page's language. The
// API names a changed field as it names the field (`nextActionDue`) and gives its values raw
// (enum codes, district ids, ISO dates, lists): the page words the field through the i18n
// tables (`caseField.*`), enum values through theirs (`case.stage.*`, `case.programme.*`,
// `case.priority.*`, `tier.*`) and districts by their names in the region profile. A field or
// value the tables do not know shows as the API gives it.
import type { CaseViewQuery } from "../../gql/graphql";
import { formatDateTime, useI18n, type Key, type Translate } from "../../i18n";
import { usePlaceNames } from "./places";

type CaseEvents = Extract<CaseViewQuery["case"], { __typename: "Case" }>["events"];

/** The tables' prefix of each field whose values are codes. */
const CODES: Record<string, string> = {
  stage: "case.stage.",
  programme: "case.programme.",
  priority: "case.priority.",
  tier: "tier.",
};

/** The importer's note on a case made from a spreadsheet (graph/write/case.py). */
const IMPORTED = /^imported from (.+)$/s;

function known(t: Translate, key: string): string | null {
  const text = t(key as Key) as string | undefined;
  return text === undefined ? null : text;
}

export function fieldLabel(t: Translate, field: string): string {
  return known(t, `caseField.${field}`) ?? field;
}

/** A value of `field` in words: "–" for none, a list's values one after another. */
export function fieldValue(t: Translate, place: (id: string) => string, field: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return "–";
  if (Array.isArray(value)) return value.length === 0 ? "–" : value.map((v) => fieldValue(t, place, field, v)).join(", ");
  if (typeof value !== "string") return JSON.stringify(value);
  if (field in CODES) return known(t, CODES[field] + value) ?? value;
  return field === "district" ? place(value) : value;
}

export function noteText(t: Translate, note: string): string {
  const imported = IMPORTED.exec(note);
  return imported ? t("case.importedFrom", { source: imported[1] }) : note;
}

export function Timeline({ events }: { events: CaseEvents }) {
  const { t, lang } = useI18n();
  const place = usePlaceNames();
  return (
    <>
      <h2>{t("case.timeline")}</h2>
      <ol class="timeline" data-testid="timeline">
        {events.map((e) => (
          <li key={e.id} data-version={e.version} data-action={e.action}>
            <strong>{t(`case.action.${e.action}` as Key)}</strong> · {t("case.version", { version: e.version })} ·{" "}
            <span class="muted">
              {formatDateTime(lang, e.at)} · {e.actor}
            </span>
            <ul>
              {e.changes.map((c) => (
                <li key={c.field} data-field={c.field}>
                  <span class="field">{fieldLabel(t, c.field)}</span>: <span class="before">{fieldValue(t, place, c.field, c.before)}</span> →{" "}
                  <span class="after">{fieldValue(t, place, c.field, c.after)}</span>
                </li>
              ))}
            </ul>
            {e.note && <p class="muted note">{noteText(t, e.note)}</p>}
          </li>
        ))}
      </ol>
    </>
  );
}
