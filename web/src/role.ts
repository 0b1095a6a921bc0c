// The caller's role (whoami), which decides the views and links the page shows. The API refuses
// what a role may not ask whatever the page shows (api/access.py); hiding is for the person.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Role } from "./gql/graphql";

const RANK: Record<Role, number> = { VIEWER: 0, RECRUITER: 1, ADMIN: 2 };

/** Views that need more than a viewer, with the least role (as api/access.py's root fields). */
export const VIEW_ROLES: Record<string, Role> = {
  paths: "RECRUITER", // introductionPaths walks people's co-author networks
};

export interface Caller {
  role: Role;
  name: string;
  anonymous: boolean;
}

export const CallerContext = createContext<Caller | null>(null);

export function useCaller(): Caller | null {
  return useContext(CallerContext);
}

/** Whether `caller` may use the view `name`; an unknown caller only views open to viewers. */
export function allows(caller: Caller | null, name: string): boolean {
  const needed = VIEW_ROLES[name];
  if (needed === undefined) return true;
  return caller !== null && RANK[caller.role] >= RANK[needed];
}

export type Access = "unknown" | "read" | "write";

/** Whether the caller may write (recruiter and up), so views hide the controls a viewer cannot
 * use; "unknown" until whoami has answered. The API stays the judge of every write. */
export function useAccess(): Access {
  const caller = useCaller();
  if (caller === null) return "unknown";
  return RANK[caller.role] >= RANK.RECRUITER ? "write" : "read";
}
