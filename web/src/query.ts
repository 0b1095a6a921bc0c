// useQuery: a document's answer for the current variables, with its loading and error states.
import { useEffect, useState } from "preact/hooks";
import { ApiError, request } from "./client";
import type { TypedDocumentString } from "./gql/graphql";
import { sessionVersion } from "./session";

export type QueryState<R> =
  | { status: "loading" }
  | { status: "error"; error: ApiError }
  | { status: "done"; data: R };

const LOADING = { status: "loading" } as const;

/** The answer `run` gives for `key`, asked again whenever the key changes. An answer is only ever
 * returned for the key it was asked for: in the render where the key has just changed (before the
 * new request is even sent) the state is "loading", never the previous key's data. */
function useKeyed<R>(key: string, run: (signal: AbortSignal) => Promise<R>, skip = false): QueryState<R> {
  const [state, setState] = useState<{ key: string; state: QueryState<R> } | null>(null);
  useEffect(() => {
    if (skip) return undefined;
    const controller = new AbortController();
    setState({ key, state: LOADING });
    run(controller.signal).then(
      (data) => setState({ key, state: { status: "done", data } }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure = error instanceof ApiError ? error : new ApiError(String(error), "network");
        setState({ key, state: { status: "error", error: failure } });
      },
    );
    return () => controller.abort();
  }, [key, skip]);
  return state !== null && state.key === key ? state.state : LOADING;
}

export function useQuery<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  options: { skip?: boolean; revision?: number } = {},
): QueryState<R> {
  // `revision`: a view asks again after its own write by counting it up. The variables are
  // compared by value (their JSON), not identity.
  const key = `${document.toString()}:${JSON.stringify(variables)}:${sessionVersion()}:${options.revision ?? 0}`;
  return useKeyed(key, (signal) => request(document, variables, signal), options.skip);
}

/** Calls `load` for each page (cursor in, cursor out) until `maxPages` or the end. */
export function usePaged<T>(
  load: (after: string | null, signal: AbortSignal) => Promise<{ items: T[]; next: string | null; total: number }>,
  key: string,
  maxPages: number,
): QueryState<{ items: T[]; total: number }> {
  return useKeyed(`${key}:${sessionVersion()}`, async (signal) => {
    const items: T[] = [];
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < maxPages; page++) {
      const answer = await load(after, signal);
      items.push(...answer.items);
      total = answer.total;
      after = answer.next;
      if (!after) break;
    }
    return { items, total };
  });
}
