// Sign-in: paste an API key, kept for this browser session only. The API says why a key is
// refused; that reason is shown as it came.
import { useState } from "preact/hooks";
import { ApiError, request } from "../client";
import { SignInCheckDocument } from "../gql/graphql";
import { useI18n } from "../i18n";
import { navigate } from "../router";
import { apiKey, setApiKey } from "../session";

export function SignInForm({ reason, next }: { reason?: string; next?: string }) {
  const { t } = useI18n();
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<string | null>(reason ?? null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const previous = apiKey();
    setApiKey(key);
    try {
      await request(SignInCheckDocument, {});
      setProblem(null);
      navigate(next ?? window.location.pathname + window.location.search, true);
    } catch (e) {
      setApiKey(previous);
      setProblem(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="signin" aria-labelledby="signin-title">
      <h2 id="signin-title">{t("signin.title")}</h2>
      {problem && (
        <p class="state error" role="alert" data-testid="signin-reason">
          {t("signin.refused")} {problem}
        </p>
      )}
      <p>{t("signin.help")}</p>
      <form onSubmit={submit}>
        <label for="api-key">{t("signin.key")}</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          placeholder="tmk_…"
        />
        <button type="submit" disabled={busy || !key.trim()}>
          {t("signin.submit")}
        </button>
      </form>
      {apiKey() && (
        <button type="button" class="link" onClick={() => { setApiKey(null); navigate("/signin", true); }}>
          {t("signin.signOut")}
        </button>
      )}
    </section>
  );
}
