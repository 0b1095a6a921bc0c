// /paths?from=<scientist>&to=<scientist, institution or region>&hops=…: who could introduce us:
// the shortest co-author chains, strongest ties first, with the shared works on each hop.
// Needs the recruiter role; a viewer's key gets the API's refusal, shown as it came.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { Name } from "../../components/name";
import { HOME } from "../../components/region";
import { Empty, Failure, Loaded } from "../../components/status";
import { IntroductionPathsViewDocument } from "../../gql/graphql";
import { formatNumber, useI18n } from "../../i18n";
import { useQuery } from "../../query";
import { entityHref, href, Link, navigate } from "../../router";
import type { ViewProps } from "../types";

export default function PathsView({ location }: ViewProps) {
  const { t } = useI18n();
  const from = location.query.get("from") ?? "";
  const to = location.query.get("to") ?? "";
  const hops = Number.parseInt(location.query.get("hops") ?? "3", 10) || 3;
  const [fromText, setFrom] = useState(from);
  const [toText, setTo] = useState(to || HOME);
  return (
    <section class="view paths" aria-labelledby="view-title">
      <h1 id="view-title">{t("paths.title")}</h1>
      <p class="muted">{t("paths.help")}</p>
      <form
        class="controls"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href("/paths", { from: fromText.trim(), to: toText.trim(), hops }));
        }}
      >
        <label>
          {t("paths.from")}
          <input value={fromText} onInput={(e) => setFrom(e.currentTarget.value)} placeholder="A5071739156" />
        </label>
        <label>
          {t("paths.to")}
          <input value={toText} onInput={(e) => setTo(e.currentTarget.value)} placeholder="cn/suzhou, I136199984, A…" />
        </label>
        <button type="submit" disabled={!fromText.trim() || !toText.trim()}>
          {t("paths.submit")}
        </button>
      </form>
      {from && to ? <Paths from={from} to={to} hops={hops} /> : <Empty>{t("paths.choose")}</Empty>}
    </section>
  );
}

function Paths({ from, to, hops }: { from: string; to: string; hops: number }) {
  const { t, lang } = useI18n();
  const state = useQuery(IntroductionPathsViewDocument, { from, to, maxHops: hops });
  return (
    <Loaded state={state}>
      {(data) => {
        const answer = data.introductionPaths;
        if (answer.__typename !== "IntroductionPaths") return <Failure message={answer.message} />;
        if (answer.length === null || answer.length === undefined || answer.paths.length === 0) {
          return <Empty>{t("paths.none", { hops })}</Empty>;
        }
        return (
          <>
            <p class="count" data-testid="path-count" data-count={answer.paths.length}>
              {t("paths.found", { count: formatNumber(lang, answer.paths.length), length: answer.length })}
              {answer.truncated && ` ${t("paths.truncated")}`}
            </p>
            <ol class="path-list" data-testid="paths">
              {answer.paths.map((path, i) => (
                <li key={i} class="path">
                  <p class="muted">
                    {t("paths.strength", { weakest: path.weakestTie, total: path.totalSharedWorks })}
                  </p>
                  <ol class="chain-of-people">
                    <li class="person">
                      <Link href={entityHref("scientist", path.hops[0].source.id)}>
                        <Name name={path.hops[0].source.name} others={path.hops[0].source.alternativeNames} />
                      </Link>
                    </li>
                    {path.hops.map((hop) => (
                      <Fragment key={`${hop.source.id}-${hop.target.id}`}>
                        <li class="hop">
                          <span class="tie">
                            {t("scientist.sharedWorks", { count: hop.sharedWorks })} ({hop.firstYear}–{hop.lastYear})
                          </span>
                          <ul class="evidence">
                            {hop.works.slice(0, 3).map((w) => (
                              <li key={w.id}>
                                {w.doi ? <a href={w.doi} rel="noreferrer">{w.title ?? w.id}</a> : w.title ?? w.id}{" "}
                                <span class="muted">{w.publicationYear}</span>
                              </li>
                            ))}
                          </ul>
                        </li>
                        <li class="person">
                          <Link href={entityHref("scientist", hop.target.id)} data-id={hop.target.id}>
                            <Name name={hop.target.name} others={hop.target.alternativeNames} />
                          </Link>
                        </li>
                      </Fragment>
                    ))}
                  </ol>
                </li>
              ))}
            </ol>
          </>
        );
      }}
    </Loaded>
  );
}
