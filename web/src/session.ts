// The API key lives for the browser session only (sessionStorage), as the issue asks.
const KEY = "talentmap.apiKey";

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

let version = 0;

/** Changes whenever the key does, so every view asks again with the new key. */
export function sessionVersion(): number {
  return version;
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key.trim());
  else sessionStorage.removeItem(KEY);
  version += 1;
}
