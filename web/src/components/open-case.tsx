// "Open a case" on a profile, for recruiters and admins (the API judges the write): the case
// form with the target filled in.
import { useI18n } from "../i18n";
import { useAccess } from "../role";
import { href, Link, shortId } from "../router";

export function OpenCase({ id, kind }: { id: string; kind: "SCIENTIST" | "TEAM" | "INSTITUTION" }) {
  const { t } = useI18n();
  if (useAccess() !== "write") return null;
  return (
    <Link href={href("/cases/new", { target: shortId(id), kind })} data-testid="open-case">
      {t("scientist.openCase")}
    </Link>
  );
}
