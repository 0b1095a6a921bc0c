// useQuery: a document's answer for the current variables, with its loading and error states.
import { useEffect, useState } from "preact/hooks";
import { ApiError, request } from "./client";
import type { TypedDocumentString } from "./gql/graphql";
import { sessionVersion } from "./session";

export type QueryState<R> =
  | { status: "loading" }
  | { status: "error"; error: ApiError }
  | { status: "done"; data: R };

export function useQuery<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  options: { skip?: boolean; revision?: number } = {},
): QueryState<R> {
  const [state, setState] = useState<QueryState<R>>({ status: "loading" });
  // `revision`: a view asks again after its own write by counting it up.
  const key = `${JSON.stringify(variables)}:${options.skip ? "skip" : ""}:${sessionVersion()}:${options.revision ?? 0}`;
  useEffect(() => {
    if (options.skip) return undefined;
    const controller = new AbortController();
    setState({ status: "loading" });
    request(document, variables, controller.signal).then(
      (data) => setState({ status: "done", data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({
          status: "error",
          error: error instanceof ApiError ? error : new ApiError(String(error), "network"),
        });
      },
    );
    return () => controller.abort();
    // The variables are compared by value (their JSON), not identity.
  }, [document, key]);
  return state;
}

/** Calls `load` for each page (cursor in, cursor out) until `maxPages` or the end. */
export function usePaged<T>(
  load: (after: string | null, signal: AbortSignal) => Promise<{ items: T[]; next: string | null; total: number }>,
  key: string,
  maxPages: number,
): QueryState<{ items: T[]; total: number }> {
  const [state, setState] = useState<QueryState<{ items: T[]; total: number }>>({ status: "loading" });
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading" });
    (async () => {
      const items: T[] = [];
      let after: string | null = null;
      let total = 0;
      for (let page = 0; page < maxPages; page++) {
        const answer = await load(after, controller.signal);
        items.push(...answer.items);
        total = answer.total;
        after = answer.next;
        if (!after) break;
      }
      return { items, total };
    })().then(
      (data) => setState({ status: "done", data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({
          status: "error",
          error: error instanceof ApiError ? error : new ApiError(String(error), "network"),
        });
      },
    );
    return () => controller.abort();
  }, [key, sessionVersion()]);
  return state;
}
