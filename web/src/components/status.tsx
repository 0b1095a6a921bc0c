// The states every view shows: loading, empty, error (a missing or refused key: the sign-in
// form with the API's reason).
import type { ComponentChildren, VNode } from "preact";
import type { ApiError } from "../client";
import { useI18n } from "../i18n";
import type { QueryState } from "../query";
import { SignInForm } from "./signin";

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="state loading" role="status" aria-live="polite">
      {t("state.loading")}
    </p>
  );
}

export function Empty({ children }: { children?: ComponentChildren }) {
  const { t } = useI18n();
  return <p class="state empty">{children ?? t("state.empty")}</p>;
}

export function ErrorBox({ error }: { error: ApiError }) {
  const { t } = useI18n();
  if (error.kind === "auth") return <SignInForm reason={error.message} />;
  return (
    <div class="state error" role="alert">
      <strong>{error.kind === "forbidden" ? t("state.forbidden") : t("state.error")}</strong>
      <p>{error.message}</p>
      {error.requestId && <p class="muted">{t("state.requestId", { id: error.requestId })}</p>}
    </div>
  );
}

/** A failure the API answers as a union member (NotFound, InvalidId, InvalidRange). */
export function Failure({ message }: { message: string }) {
  const { t } = useI18n();
  return (
    <div class="state error" role="alert">
      <strong>{t("state.notFound")}</strong>
      <p>{message}</p>
    </div>
  );
}

export function Loaded<R>({ state, children }: { state: QueryState<R>; children: (data: R) => VNode | null }) {
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <ErrorBox error={state.error} />;
  return children(state.data);
}
