import type { Location } from "../router";

/** What every view's route component gets: the URL, split. */
export interface ViewProps {
  location: Location;
}
