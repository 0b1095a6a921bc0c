// A score explained part by part: each component's raw value, percentile, weight and
// contribution (weight × percentile); the contributions add up to the score. Used by the heat
// score (views/heat) and the evaluation score card (views/scientist).
import { useI18n } from "../i18n";

export interface ScorePart {
  name: string;
  value?: number | null;
  percentile: number;
  weight: number;
  contribution: number;
}

/** A number with at most `digits` decimals, in the reader's language; "–" when missing. */
export function decimal(lang: "en" | "zh", value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en", { maximumFractionDigits: digits }).format(value);
}

/** A share (0..1) as a percentage. */
export function percent(lang: "en" | "zh", value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en", {
    style: "percent",
    maximumFractionDigits: digits,
  }).format(value);
}

export function ScoreTable({
  parts,
  score,
  label,
  caption,
  testid,
}: {
  parts: ScorePart[];
  score: number;
  label: (name: string) => string;
  caption: string;
  testid: string;
}) {
  const { t, lang } = useI18n();
  return (
    <table class="score-table" data-testid={testid}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t("score.component")}</th>
          <th scope="col">{t("score.value")}</th>
          <th scope="col">{t("score.percentile")}</th>
          <th scope="col">{t("score.weight")}</th>
          <th scope="col">{t("score.contribution")}</th>
        </tr>
      </thead>
      <tbody>
        {parts.map((p) => (
          <tr key={p.name} data-name={p.name}>
            <th scope="row">{label(p.name)}</th>
            <td data-value={p.value ?? ""}>{decimal(lang, p.value)}</td>
            <td data-value={p.percentile}>{percent(lang, p.percentile)}</td>
            <td data-value={p.weight}>{decimal(lang, p.weight, 3)}</td>
            <td data-value={p.contribution}>
              <span class="bar" style={{ width: `${Math.round(Math.min(1, p.contribution / Math.max(score, 1e-9)) * 60)}px` }} />{" "}
              {decimal(lang, p.contribution, 3)}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t("score.total")}</th>
          <td />
          <td />
          <td />
          <td data-value={score}>{decimal(lang, score, 3)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
