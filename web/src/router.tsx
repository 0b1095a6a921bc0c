// Routing by URL: every view is a deep link. The URL is the only state besides the key.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

export interface Location {
  path: string[];
  query: URLSearchParams;
  href: string;
}

function current(): Location {
  return {
    path: window.location.pathname.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(window.location.search),
    href: window.location.pathname + window.location.search,
  };
}

const listeners = new Set<() => void>();

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  window.scrollTo(0, 0);
  listeners.forEach((listener) => listener());
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return location;
}

/** A URL from a path and query values (empty values left out). */
export function href(path: string, query: Record<string, string | number | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function entityHref(kind: "scientist" | "institution" | "team", id: string): string {
  return `/${kind}/${encodeURIComponent(shortId(id))}`;
}

/** OpenAlex and ROR URLs as their short ids, which the API accepts and which read better. */
export function shortId(id: string): string {
  return id.replace(/^https:\/\/(openalex\.org|ror\.org)\//, "");
}

type LinkProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

export function Link({ href: target, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(target);
  };
  return (
    <a href={target} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
