// /watchlists: your watchlists and the shared ones (recruiters make new ones);
// /watchlist/<id>: its entities (recruiters add and remove them) and the event feed: the
// events query on open (so a reload shows what came before), then live over the `events`
// subscription, newest first.
import { useEffect, useState } from "preact/hooks";
import { Empty, ErrorBox, Failure, Loaded } from "../../components/status";
import { Tracked } from "../../components/tracked";
import { eventText } from "../../components/says";
import { ApiError, request, subscribe, type LiveState } from "../../client";
import {
  CreateWatchlistDocument,
  UnwatchDocument,
  WatchDocument,
  WatchlistEventsDocument,
  WatchlistFeedDocument,
  WatchlistsDocument,
  WatchlistViewDocument,
  type EventFieldsFragment,
  type UnwatchMutation,
  type WatchMutation,
  type WatchlistFieldsFragment,
} from "../../gql/graphql";
import { formatDateTime, formatNumber, useI18n, type Key } from "../../i18n";
import { useQuery } from "../../query";
import { Link, navigate } from "../../router";
import { useAccess } from "../../role";
import type { ViewProps } from "../types";

export default function WatchlistsRoute({ location }: ViewProps) {
  const id = location.path[0] === "watchlist" ? location.path.slice(1).join("/") : null;
  return id ? <WatchlistView id={id} /> : <WatchlistsView />;
}

function WatchlistsView() {
  const { t, lang } = useI18n();
  const lists = useQuery(WatchlistsDocument, {});
  const access = useAccess();
  return (
    <section class="view watchlists" aria-labelledby="view-title">
      <h1 id="view-title">{t("watch.title")}</h1>
      {access === "write" && <CreateWatchlist />}
      <Loaded state={lists}>
        {(data) =>
          data.watchlists.length === 0 ? (
            <Empty>{t("watch.none")}</Empty>
          ) : (
            <>
              <p class="muted count" data-testid="watchlist-count" data-count={data.watchlists.length}>
                {t("watch.count", { count: formatNumber(lang, data.watchlists.length) })}
              </p>
              <ul class="watchlist-list" data-testid="watchlists">
                {data.watchlists.map((list) => (
                  <li key={list.id}>
                    <Link href={`/watchlist/${encodeURIComponent(list.id)}`} data-id={list.id}>
                      <span class="name">{list.name}</span>
                    </Link>{" "}
                    <span class="muted">
                      {t("watch.summary", { count: formatNumber(lang, list.entityIds.length), owner: list.owner })}
                    </span>{" "}
                    {list.shared && <span class="badge">{t("watch.shared")}</span>}
                  </li>
                ))}
              </ul>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function CreateWatchlist() {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [problem, setProblem] = useState<ApiError | string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    if (!name.trim()) return;
    request(CreateWatchlistDocument, { name: name.trim(), shared }).then(
      (data) => {
        const made = data.createWatchlist;
        if (made.__typename === "Watchlist") navigate(`/watchlist/${encodeURIComponent(made.id)}`);
        else setProblem(made.message);
      },
      (e: unknown) => setProblem(e instanceof ApiError ? e : new ApiError(String(e), "network")),
    );
  };
  return (
    <form class="controls" onSubmit={submit} aria-label={t("watch.create")}>
      <label>
        {t("watch.name")}
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      </label>
      <label class="check">
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
        {t("watch.shareIt")}
      </label>
      <button type="submit">{t("watch.create")}</button>
      {problem instanceof ApiError && <ErrorBox error={problem} />}
      {typeof problem === "string" && <Failure message={problem} />}
    </form>
  );
}

function WatchlistView({ id }: { id: string }) {
  const { t } = useI18n();
  const [revision, setRevision] = useState(0);
  const list = useQuery(WatchlistViewDocument, { id }, { revision });
  const access = useAccess();
  return (
    <section class="view watchlist" aria-labelledby="view-title">
      <Loaded state={list}>
        {(data) => {
          const answer = data.watchlist;
          if (answer.__typename !== "Watchlist") {
            return (
              <>
                <h1 id="view-title">{t("watch.title")}</h1>
                <Failure message={answer.message} />
              </>
            );
          }
          return (
            <>
              <h1 id="view-title">
                <span class="name">{answer.name}</span>
              </h1>
              <p class="muted">
                <Link href="/watchlists">{t("watch.all")}</Link> · {t("watch.owner", { owner: answer.owner })}{" "}
                {answer.shared && <span class="badge">{t("watch.shared")}</span>}
              </p>
              <div class="columns">
                <Entities list={answer} canWrite={access === "write"} onChange={() => setRevision((n) => n + 1)} />
                <Feed id={answer.id} />
              </div>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function Entities({ list, canWrite, onChange }: { list: WatchlistFieldsFragment; canWrite: boolean; onChange: () => void }) {
  const { t, lang } = useI18n();
  const [entity, setEntity] = useState("");
  const [problem, setProblem] = useState<ApiError | string | null>(null);
  const finish = (answer: Promise<WatchMutation["watch"] | UnwatchMutation["unwatch"]>) => {
    setProblem(null);
    answer.then(
      (found) => {
        if (found.__typename === "Watchlist") {
          setEntity("");
          onChange();
        } else setProblem(found.message);
      },
      (e: unknown) => setProblem(e instanceof ApiError ? e : new ApiError(String(e), "network")),
    );
  };
  const watch = (target: string) => finish(request(WatchDocument, { id: list.id, entity: target }).then((d) => d.watch));
  const unwatch = (target: string) => finish(request(UnwatchDocument, { id: list.id, entity: target }).then((d) => d.unwatch));
  return (
    <div>
      <h2>{t("watch.entities")}</h2>
      <p class="muted count" data-testid="entity-count" data-count={list.entityIds.length}>
        {t("watch.entityCount", { count: formatNumber(lang, list.entityIds.length) })}
      </p>
      {list.entityIds.length === 0 ? (
        <Empty>{t("watch.noEntities")}</Empty>
      ) : (
        <ul class="entities" data-testid="entities">
          {list.entityIds.map((entityId) => (
            <li key={entityId}>
              <Tracked id={entityId} entity={list.entities.find((e) => e.id === entityId)} />{" "}
              {canWrite && (
                <button type="button" onClick={() => unwatch(entityId)} aria-label={t("watch.removeOne", { id: entityId })}>
                  {t("watch.remove")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <form
          class="controls"
          onSubmit={(e) => {
            e.preventDefault();
            if (entity.trim()) watch(entity.trim());
          }}
        >
          <label>
            {t("watch.entity")}
            <input value={entity} onInput={(e) => setEntity(e.currentTarget.value)} placeholder="A5023888391" />
          </label>
          <button type="submit">{t("watch.add")}</button>
        </form>
      )}
      {problem instanceof ApiError && <ErrorBox error={problem} />}
      {typeof problem === "string" && <Failure message={problem} />}
    </div>
  );
}

function Feed({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const stored = useQuery(WatchlistEventsDocument, { id });
  const [live, setLive] = useState<EventFieldsFragment[]>([]);
  const [state, setState] = useState<{ state: LiveState; reason?: string }>({ state: "connecting" });
  useEffect(() => {
    setLive([]);
    return subscribe(WatchlistFeedDocument, { id }, {
      onData: (data) => setLive((events) => [data.events, ...events.filter((e) => e.id !== data.events.id)]),
      onState: (next, reason) => setState({ state: next, reason }),
    });
  }, [id]);
  return (
    <div>
      <h2>{t("watch.feed")}</h2>
      <p class="live" data-testid="live" data-state={state.state} role="status">
        {t(`watch.live.${state.state}` as Key)}
        {state.reason && <span class="muted"> ({state.reason})</span>}
      </p>
      <Loaded state={stored}>
        {(data) => {
          const answer = data.events;
          if (answer.__typename !== "EventConnection") return <Failure message={answer.message} />;
          const before = answer.edges.map((e) => e.node).filter((e) => !live.some((l) => l.id === e.id));
          const events = [...live, ...before];
          if (events.length === 0) return <Empty>{t("watch.noEvents")}</Empty>;
          return (
            <ol class="events" data-testid="events" data-count={events.length}>
              {events.map((e) => (
                <li key={e.id} data-id={e.id} data-kind={e.kind} class={live.includes(e) ? "event live-event" : "event"}>
                  <span class="badge">{t(`event.${e.kind}` as Key)}</span> <Tracked id={e.entityId} kind={e.entityKind} entity={e.entity} />{" "}
                  <span class="muted">{formatDateTime(lang, e.at)}</span>
                  <p class="summary">{eventText(t, e)}</p>
                </li>
              ))}
            </ol>
          );
        }}
      </Loaded>
    </div>
  );
}
