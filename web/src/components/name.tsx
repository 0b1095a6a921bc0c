import { bilingual, useI18n } from "../i18n";

/** A name in the reader's script first, the other script beside it where the graph has it. */
export function Name({ name, others }: { name: string; others?: (string | null | undefined)[] }) {
  const { lang } = useI18n();
  const [first, second] = bilingual(lang, name, others);
  return (
    <span class="name">
      {first}
      {second && <span class="other-script"> {second}</span>}
    </span>
  );
}
