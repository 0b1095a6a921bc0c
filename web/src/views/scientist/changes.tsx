// "What changed since my last visit": the events of this scientist after the time the page
// last showed the profile in this browser (kept in localStorage, per scientist), newest first.
// Changes are found for watched people (watchlists), so an unwatched profile shows none.
import { useEffect, useState } from "preact/hooks";
import { eventText } from "../../components/says";
import { Empty, Loaded } from "../../components/status";
import { EntityEventsDocument } from "../../gql/graphql";
import { formatDateTime, formatNumber, useI18n, type Key } from "../../i18n";
import { useQuery } from "../../query";
import { shortId } from "../../router";

export function seenKey(id: string): string {
  return `talentmap.seen.${shortId(id)}`;
}

export function SinceLastVisit({ id }: { id: string }) {
  const { t, lang } = useI18n();
  // The last visit as this page was opened; this visit is stored once the answer is in.
  const [since] = useState(() => localStorage.getItem(seenKey(id)));
  const [now] = useState(() => new Date().toISOString());
  const found = useQuery(EntityEventsDocument, { entity: id, since, first: 20 }, { skip: since === null });
  const answered = since === null || found.status === "done";
  useEffect(() => {
    if (answered) localStorage.setItem(seenKey(id), now);
  }, [answered, id, now]);
  return (
    <section aria-labelledby="since-title" class="since-visit" data-testid="since-visit" data-since={since ?? ""}>
      <h2 id="since-title">{t("since.title")}</h2>
      {since === null ? (
        <p class="muted" data-testid="first-visit">
          {t("since.first")}
        </p>
      ) : (
        <Loaded state={found}>
          {(data) => {
            const answer = data.entityEvents;
            if (answer.__typename !== "EventConnection") return <Empty>{answer.message}</Empty>;
            const when = formatDateTime(lang, since);
            if (answer.totalCount === 0) return <Empty>{t("since.nothing", { since: when })}</Empty>;
            return (
              <>
                <p class="muted count" data-testid="since-count" data-count={answer.totalCount}>
                  {t("since.count", { count: formatNumber(lang, answer.totalCount), since: when })}
                </p>
                <ol class="events" data-testid="since-events">
                  {answer.edges.map(({ node: e }) => (
                    <li key={e.id} data-id={e.id} data-kind={e.kind} class="event">
                      <span class="badge">{t(`event.${e.kind}` as Key)}</span> <span class="muted">{formatDateTime(lang, e.at)}</span>
                      <p class="summary">{eventText(t, e)}</p>
                    </li>
                  ))}
                </ol>
              </>
            );
          }}
        </Loaded>
      )}
    </section>
  );
}
