// /team/<id>: a derived research group: its lead, institution, members with years, topics.
import { Name } from "../../components/name";
import { Empty, Failure, Loaded } from "../../components/status";
import { WorldMap } from "../../components/worldmap";
import { TeamProfileDocument } from "../../gql/graphql";
import { formatNumber, useI18n } from "../../i18n";
import { useQuery } from "../../query";
import { OpenCase } from "../../components/open-case";
import { entityHref, Link, navigate } from "../../router";
import type { ViewProps } from "../types";

export default function TeamView({ location }: ViewProps) {
  const { t, lang } = useI18n();
  const id = location.path[1] ?? "";
  const state = useQuery(TeamProfileDocument, { id });
  return (
    <Loaded state={state}>
      {(data) => {
        const team = data.team;
        if (team.__typename !== "Team") return <Failure message={team.message} />;
        const home = team.institution;
        const at = home?.location;
        return (
          <article class="view profile" aria-labelledby="view-title">
            <header class="profile-head">
              <p class="kind">{t("type.team")}</p>
              <h1 id="view-title">
                <span class="name">{team.name}</span>
              </h1>
              <p class="muted">
                {home && (
                  <Link href={entityHref("institution", home.id)}>
                    <Name name={home.name} others={[home.nameZh]} />
                  </Link>
                )}
                {team.firstYear && ` · ${team.firstYear}–${team.lastYear ?? ""}`}
                {" "}
                <OpenCase id={team.id} kind="TEAM" />
              </p>
            </header>
            <dl class="metrics-grid">
              <div><dt>{t("team.members")}</dt><dd data-testid="members-count">{formatNumber(lang, team.membersCount)}</dd></div>
              <div><dt>{t("metric.works")}</dt><dd>{formatNumber(lang, team.works)}</dd></div>
            </dl>
            <div class="columns">
              <section aria-labelledby="members-title">
                <h2 id="members-title">{t("team.members")}</h2>
                <ol class="ranked" data-testid="members">
                  {team.members.map((m) => (
                    <li key={m.scientist.id}>
                      <Link href={entityHref("scientist", m.scientist.id)} data-id={m.scientist.id}>
                        <Name name={m.scientist.name} others={m.scientist.alternativeNames} />
                      </Link>{" "}
                      <span class="muted">
                        {t(m.role === "lead" ? "team.lead" : "team.member")} · {m.firstYear}–{m.lastYear}
                      </span>
                    </li>
                  ))}
                </ol>
              </section>
              <section aria-labelledby="topics-title">
                <h2 id="topics-title">{t("institution.topics")}</h2>
                {team.topics.length === 0 ? (
                  <Empty />
                ) : (
                  <ol class="ranked">
                    {team.topics.map((e) => (
                      <li key={e.topic.id}>
                        {e.topic.name} <span class="muted">({t("metric.worksCount", { count: e.works })})</span>
                      </li>
                    ))}
                  </ol>
                )}
                {home && at?.latitude != null && at.longitude != null && (
                  <WorldMap
                    compact
                    points={[{ id: home.id, name: home.name, lat: at.latitude, lon: at.longitude, value: 1, inside: true }]}
                    onSelect={(i) => navigate(entityHref("institution", i))}
                  />
                )}
              </section>
            </div>
          </article>
        );
      }}
    </Loaded>
  );
}
