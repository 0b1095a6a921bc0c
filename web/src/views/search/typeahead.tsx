// The search box: bilingual typeahead over autocomplete (hanzi, pinyin, Latin, acronyms),
// as an ARIA combobox: arrows move, Enter opens the suggestion or searches, Escape closes.
import { useEffect, useState } from "preact/hooks";
import { request } from "../../client";
import { SuggestDocument, type SuggestQuery } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { entityHref, href, navigate } from "../../router";

type Suggestion = Extract<SuggestQuery["autocomplete"], { __typename: "SuggestionConnection" }>["edges"][number]["node"];

export function suggestionHref(s: Suggestion): string {
  switch (s.type) {
    case "SCIENTIST":
      return entityHref("scientist", s.id);
    case "INSTITUTION":
      return entityHref("institution", s.id);
    case "TEAM":
      return entityHref("team", s.id);
    case "INDUSTRY":
      return `/chain/${encodeURIComponent(s.id)}`;
    default:
      return href("/search", { q: s.label });
  }
}

/** The suggestions for the text typed, asked 150 ms after the last keystroke while the list is
 * open; a newer text aborts the older request. */
function useSuggestions(text: string, open: boolean, onAnswer: () => void): Suggestion[] {
  const [items, setItems] = useState<Suggestion[]>([]);
  useEffect(() => {
    const query = text.trim();
    if (!query || !open) {
      setItems([]);
      return undefined;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      request(SuggestDocument, { query, first: 8 }, controller.signal).then(
        (data) => {
          const answer = data.autocomplete;
          setItems(answer.__typename === "SuggestionConnection" ? answer.edges.map((e) => e.node) : []);
          onAnswer();
        },
        () => setItems([]),
      );
    }, 150);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
    // onAnswer only resets the active row: a new one each render must not ask again.
  }, [text, open]);
  return items;
}

export function Typeahead({ initial, type }: { initial: string; type: string }) {
  const { t } = useI18n();
  const [text, setText] = useState(initial);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  useEffect(() => setText(initial), [initial]);
  const items = useSuggestions(text, open, () => setActive(-1));
  const submit = (event: Event) => {
    event.preventDefault();
    setOpen(false);
    if (active >= 0 && items[active]) navigate(suggestionHref(items[active]));
    else navigate(href("/search", { q: text.trim(), type }));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(items.length - 1, i + 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((i) => Math.max(-1, i - 1));
    } else if (event.key === "Escape") {
      setOpen(false);
    }
  };
  return (
    <form class="typeahead" role="search" onSubmit={submit}>
      <label for="search-box" class="visually-hidden">
        {t("search.label")}
      </label>
      <input
        id="search-box"
        type="search"
        role="combobox"
        aria-expanded={open && items.length > 0}
        aria-controls="search-suggestions"
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `suggestion-${active}` : undefined}
        autocomplete="off"
        placeholder={t("search.placeholder")}
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
      />
      <button type="submit">{t("search.submit")}</button>
      {open && items.length > 0 && <Suggestions items={items} active={active} close={() => setOpen(false)} />}
    </form>
  );
}

function Suggestions({ items, active, close }: { items: Suggestion[]; active: number; close: () => void }) {
  const { t } = useI18n();
  const typeLabel = (s: Suggestion) => t(`type.${s.type.toLowerCase()}` as "type.scientist");
  return (
    <ul id="search-suggestions" role="listbox" aria-label={t("search.suggestions")} class="suggestions">
      {items.map((s, i) => (
        <li
          key={`${s.type}-${s.id}`}
          id={`suggestion-${i}`}
          role="option"
          aria-selected={i === active}
          class={i === active ? "active" : ""}
          onMouseDown={(e) => {
            e.preventDefault();
            close();
            navigate(suggestionHref(s));
          }}
        >
          <span class="badge">{typeLabel(s)}</span> {s.label}
          {s.detail && <span class="muted"> · {s.detail}</span>}
        </li>
      ))}
    </ul>
  );
}
