// A scientist, team or institution the desk views list (watchlists, events, cases, push lists),
// linked to its view, named in both scripts where the graph has both.
import type { TrackedNamesFragment } from "../gql/graphql";
import { entityHref } from "../router";
import { Link } from "../router";
import { Name } from "./name";

export type EntityKind = "SCIENTIST" | "TEAM" | "INSTITUTION";

/** The view of an entity of `kind`, or of an id alone (A… scientists, team-… teams, else ROR). */
export function trackedHref(id: string, kind?: EntityKind | null): string {
  const found = kind ?? (/^(https:\/\/openalex\.org\/)?A\d+$/.test(id) ? "SCIENTIST" : id.startsWith("team-") ? "TEAM" : "INSTITUTION");
  return entityHref(found === "SCIENTIST" ? "scientist" : found === "TEAM" ? "team" : "institution", id);
}

export function Tracked({ id, kind, entity, name }: { id: string; kind?: EntityKind | null; entity?: TrackedNamesFragment | null; name?: string | null }) {
  let label = <>{name ?? id}</>;
  if (entity?.__typename === "Scientist") label = <Name name={entity.name} others={entity.alternativeNames} />;
  else if (entity?.__typename === "Institution") label = <Name name={entity.name} others={[entity.nameZh]} />;
  else if (entity?.__typename === "Team") label = <>{entity.name}</>;
  return (
    <Link href={trackedHref(id, kind)} data-id={id}>
      {label}
    </Link>
  );
}
