// The <option>s of a picker of things named in both languages (industries, chain segments),
// each labelled in the page's language; the picker keeps its own <select> and empty choice.
import { useI18n } from "../i18n";

export interface Bilingual {
  id: string;
  nameEn: string;
  nameZh: string;
}

export function NamedOptions({ items }: { items: readonly Bilingual[] }) {
  const { lang } = useI18n();
  return (
    <>
      {items.map((item) => (
        <option key={item.id} value={item.id}>
          {lang === "zh" ? item.nameZh : item.nameEn}
        </option>
      ))}
    </>
  );
}
