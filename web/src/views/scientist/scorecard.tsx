// The scientist's score card: the evaluation model's score, tier (in both languages), model
// version and each component (value, percentile, weight, contribution), overall or for the
// chain segment chosen in the picker (?segment=… in the URL, so the card is a deep link too).
import { decimal, percent, ScoreTable } from "../../components/score";
import { Failure, Loaded } from "../../components/status";
import { NamedOptions } from "../../components/options";
import { ScientistEvaluationDocument, SegmentChoicesDocument, type TalentTier } from "../../gql/graphql";
import { translator, useI18n, type Key, type Translate } from "../../i18n";
import { useQuery } from "../../query";
import { href, Link, navigate } from "../../router";

export function evaluationLabel(t: Translate, name: string): string {
  const text = t(`evaluation.c.${name}` as Key);
  return text === undefined ? name : text;
}

function tierKey(tier: TalentTier | null | undefined): Key {
  return tier ? (`tier.${tier}` as Key) : "tier.none";
}

export function ScoreCard({ id, segment, path }: { id: string; segment: string | null; path: string }) {
  const { t, lang } = useI18n();
  const other = translator(lang === "zh" ? "en" : "zh");
  const state = useQuery(ScientistEvaluationDocument, { id, segment });
  return (
    <section class="scorecard" aria-labelledby="evaluation-title" data-testid="scorecard">
      <h2 id="evaluation-title">{t("evaluation.title")}</h2>
      <SegmentPicker segment={segment} path={path} />
      <Loaded state={state}>
        {(data) => {
          const e = data.evaluation;
          if (e.__typename !== "Evaluation") return <Failure message={e.message} />;
          return (
            <>
              <dl class="metrics-grid">
                <div>
                  <dt>{t("evaluation.score")}</dt>
                  <dd data-testid="evaluation-score" data-value={e.score}>{decimal(lang, e.score, 3)}</dd>
                </div>
                <div>
                  <dt>{t("evaluation.scorePercentile")}</dt>
                  <dd data-testid="evaluation-percentile" data-value={e.scorePercentile}>{percent(lang, e.scorePercentile)}</dd>
                </div>
                <div>
                  <dt>{t("evaluation.tier")}</dt>
                  <dd data-testid="evaluation-tier" data-tier={e.tier ?? ""}>
                    <span class="tier">{t(tierKey(e.tier))}</span>
                    <span class="other-lang muted" lang={lang === "zh" ? "en" : "zh-CN"}>
                      {" "}
                      {other(tierKey(e.tier))}
                    </span>
                  </dd>
                </div>
              </dl>
              <p class="muted">
                {t("evaluation.model")} <code data-testid="model-version">{e.modelVersion}</code> ·{" "}
                {t("evaluation.field")} <Link href={`/heat/${e.field}`} data-testid="evaluation-field">
                  {(lang === "zh" ? e.fieldNameZh : null) ?? e.fieldName ?? e.field}
                </Link>
                {e.segment && (
                  <>
                    {" · "}
                    {t("evaluation.forSegment")} <Link href={`/heat/${e.segment}`}>{e.segment}</Link>
                  </>
                )}
              </p>
              <ScoreTable
                parts={e.components}
                score={e.score}
                label={(name) => evaluationLabel(t, name)}
                caption={t("evaluation.caption")}
                testid="evaluation-components"
              />
              <p class="muted">{t("evaluation.caveat")}</p>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/** The chain segment the card is for (?segment=…), the industries' segments grouped. */
function SegmentPicker({ segment, path }: { segment: string | null; path: string }) {
  const { t, lang } = useI18n();
  const choices = useQuery(SegmentChoicesDocument, {});
  return (
    <form class="controls" onSubmit={(e) => e.preventDefault()}>
      <label>
        {t("evaluation.segment")}
        <select
          value={segment ?? ""}
          data-testid="segment-picker"
          onChange={(e) => navigate(href(path, { segment: e.currentTarget.value || null }), true)}
        >
          <option value="">{t("evaluation.overall")}</option>
          {segment && choices.status !== "done" && <option value={segment}>{segment}</option>}
          {choices.status === "done" &&
            choices.data.industries.map((i) => (
              <optgroup key={i.id} label={lang === "zh" ? i.nameZh : i.nameEn}>
                <NamedOptions items={i.segments} />
              </optgroup>
            ))}
        </select>
      </label>
    </form>
  );
}
