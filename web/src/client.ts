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

export type LiveState = "connecting" | "live" | "closed";

export interface Subscription<R> {
  onData: (data: R) => void;
  onState: (state: LiveState, reason?: string) => void;
}

/** A GraphQL subscription over graphql-transport-ws at /graphql. A browser cannot put headers
 * on a WebSocket, so the key travels in `connection_init` (the API reads it there). Returns
 * the function that ends it. */
export function subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V, handlers: Subscription<R>): () => void {
  const url = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/graphql`;
  const socket = new WebSocket(url, "graphql-transport-ws");
  let ended = false;
  handlers.onState("connecting");
  socket.onopen = () => {
    const key = apiKey();
    socket.send(JSON.stringify({ type: "connection_init", payload: key ? { Authorization: `Bearer ${key}` } : {} }));
  };
  socket.onmessage = (message: MessageEvent<string>) => {
    const body = JSON.parse(message.data) as { type: string; payload?: unknown };
    if (body.type === "connection_ack") {
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: document.toString(), variables } }));
      handlers.onState("live");
    } else if (body.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (body.type === "next") {
      const payload = body.payload as { data?: R | null; errors?: { message: string }[] };
      if (payload.data) handlers.onData(payload.data);
      else handlers.onState("closed", payload.errors?.[0]?.message);
    } else if (body.type === "error") {
      const errors = body.payload as { message: string }[];
      handlers.onState("closed", errors[0]?.message);
    } else if (body.type === "complete") {
      handlers.onState("closed");
    }
  };
  socket.onclose = (event: CloseEvent) => {
    if (!ended) handlers.onState("closed", event.reason || undefined);
  };
  return () => {
    ended = true;
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ id: "1", type: "complete" }));
      socket.close(1000);
    } else if (socket.readyState === WebSocket.CONNECTING) {
      socket.onopen = () => socket.close(1000);
    }
  };
}

/** Downloads a file of the API's (an export) with the session's key, which a plain link could
 * not send, under the name the API gives it. */
export async function download(url: string): Promise<void> {
  const headers: Record<string, string> = {};
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(url, { headers });
  if (!response.ok) throw new ApiError(`${response.status}: ${await response.text()}`, response.status === 401 ? "auth" : "network");
  const disposition = response.headers.get("content-disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? url.split("?")[0].split("/").pop() ?? "export";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
