// What the API says in English words, said in the page's language from the codes and numbers
// it gives beside them: an event's kind and facts, a recommendation reason's code and numbers.
// Where the numbers are missing (events and push lists written before they were), the API's
// own words.
import type { Key, Lang, Translate } from "../i18n";
import { formatNumber } from "../i18n";

type Facts = Record<string, unknown>;

function text(value: unknown): string | null {
  return typeof value === "string" && value ? value : typeof value === "number" ? String(value) : null;
}

function names(value: unknown): string | null {
  return Array.isArray(value) && value.length > 0 ? value.map((v) => text(v) ?? "?").join(", ") : null;
}

/** An event in words: its kind and facts through the language's template. */
export function eventText(t: Translate, event: { kind: string; summary: string; facts?: unknown }): string {
  const facts: Facts = event.facts && typeof event.facts === "object" ? (event.facts as Facts) : {};
  const years = facts.startYear != null ? `${text(facts.startYear)}–${text(facts.endYear) ?? "?"}` : t("says.yearsUnknown");
  const tier = (value: unknown) => t((text(value) ? `tier.${text(value)}` : "tier.none") as Key);
  switch (event.kind) {
    case "NEW_WORK":
      return text(facts.work) ? t("says.NEW_WORK", { year: text(facts.year) ?? "?", title: text(facts.title) ?? text(facts.work) ?? "" }) : event.summary;
    case "REGION_TIE": {
      const institutions = names(facts.institutionNames) ?? names(facts.institutions);
      if (!institutions) return event.summary;
      return t("says.REGION_TIE", { institutions, title: text(facts.title) ?? text(facts.work) ?? "" });
    }
    case "MOVE":
    case "NEW_AFFILIATION": {
      const institution = text(facts.institutionName) ?? text(facts.institution);
      return institution ? t(`says.${event.kind}` as Key, { institution, years }) : event.summary;
    }
    case "NEW_TEAM": {
      const team = text(facts.teamName) ?? text(facts.team);
      const place = text(facts.place) ?? text(facts.institution);
      return team && place ? t("says.NEW_TEAM", { team, place }) : event.summary;
    }
    case "TIER_CHANGE":
      return "before" in facts ? t("says.TIER_CHANGE", { before: tier(facts.before), after: tier(facts.after), model: text(facts.model) ?? "" }) : event.summary;
    default:
      return event.summary;
  }
}

export interface ReasonFields {
  code: string;
  text: string;
  value: number;
  rank?: number | null;
  works?: number | null;
  citations?: number | null;
  partners: string[];
  hops?: number | null;
  institution?: string | null;
  years?: number | null;
}

/** A recommendation reason in words; `segment` is the segment's name in the page's language. */
export function reasonText(t: Translate, lang: Lang, reason: ReasonFields, segment: string): string {
  const n = (value: number | null | undefined) => formatNumber(lang, value);
  switch (reason.code) {
    case "EVIDENCE":
      if (reason.rank == null) return reason.text;
      return t("says.EVIDENCE", { rank: n(reason.rank), segment, works: n(reason.works), citations: n(reason.citations), score: reason.value.toFixed(1) });
    case "COOPERATION":
      if (reason.works == null) return reason.text;
      return t("says.COOPERATION", { works: n(reason.works), partners: reason.partners.join(", ") || t("says.districtInstitutions") });
    case "PATH":
      if (reason.hops == null) return reason.text;
      return t(reason.hops === 1 ? "says.PATH1" : "says.PATH2", { hops: n(reason.hops) });
    case "MOBILITY":
      if (reason.years == null) return reason.text;
      return t("says.MOBILITY", { institution: reason.institution ?? t("says.newInstitution"), years: n(reason.years) });
    default:
      return reason.text;
  }
}
