// The one module that talks to the API: POST /graphql with the session's key, typed by the
// documents codegen made from the views' .graphql files.
import type { TypedDocumentString } from "./gql/graphql";
import { apiKey } from "./session";

export type ApiErrorKind = "auth" | "forbidden" | "network" | "graphql";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; requestId?: string };
}

export async function request<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  signal?: AbortSignal,
): Promise<R> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query: document.toString(), variables }),
      signal,
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(String(e), "network");
  }
  let body: { data?: R | null; errors?: GraphQLErrorBody[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, "network", response.headers.get("x-request-id") ?? undefined);
  }
  const first = body.errors?.[0];
  if (response.status === 401) {
    throw new ApiError(first?.message ?? "HTTP 401", "auth", first?.extensions?.requestId);
  }
  if (first) {
    const kind = first.extensions?.code === "FORBIDDEN" ? "forbidden" : "graphql";
    throw new ApiError(first.message, kind, first.extensions?.requestId);
  }
  if (!response.ok || body.data == null) {
    throw new ApiError(`HTTP ${response.status}`, "network");
  }
  return body.data;
}
