// The home city and its districts by name in the page's language (the board's targets, a
// case's district and its timeline), from the region profile; a place it does not name, by id.
import { HOME, regionName } from "../../components/region";
import { CaseDistrictsDocument } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { useQuery } from "../../query";

export function usePlaceNames(): (id: string) => string {
  const { lang } = useI18n();
  const answer = useQuery(CaseDistrictsDocument, { city: HOME });
  const city = answer.status === "done" ? answer.data.region : null;
  const places = city?.__typename === "Region" ? [city, ...city.districts] : [];
  const names = new Map(places.map((p) => [p.id, regionName(lang, p)]));
  return (id) => names.get(id) ?? id;
}
