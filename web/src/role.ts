// Whether the session's key may write (recruiter and up), so views hide the controls a viewer
// cannot use. The API refuses a recruiter's field to a viewer before any resolver runs; the
// page asks one that names nothing (views/shared.graphql, WriteAccess). The API stays the
// judge: a write it refuses shows its reason wherever the page makes it.
import { WriteAccessDocument } from "./gql/graphql";
import { useQuery } from "./query";

export type Access = "unknown" | "read" | "write";

export function useAccess(): Access {
  const state = useQuery(WriteAccessDocument, {});
  if (state.status === "loading") return "unknown";
  return state.status === "done" ? "write" : "read";
}
