/**
 * The language a digest is written in (`language:` per digest): an ISO 639-1 code, checked against the names the
 * runtime's own language data knows (`Intl.DisplayNames`, CLDR through ICU), which also gives the English and native
 * names the prompts use.
 */
export const DEFAULT_LANGUAGE = 'en';

const inEnglish = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/**
 * Two lower-case letters that name a language, in their canonical form: `iw`, `in`, `ji`, `jw`, `mo` and `sh`
 * (withdrawn codes that ICU maps to `he`, `id`, `yi`, `jv`, `ro`, `sr-Latn`) are refused, as the standard's list does.
 */
export function isLanguageCode(code: string): boolean {
  if (!/^[a-z]{2}$/.test(code)) return false;
  const [canonical] = Intl.getCanonicalLocales(code);
  return canonical === code && inEnglish.of(code) !== undefined;
}

/** How the prompts name the language: "English", "Chinese (中文)", "French (français)". */
export function languageName(code: string): string {
  const name = inEnglish.of(code) ?? code;
  let native: string | undefined;
  try {
    native = new Intl.DisplayNames([code], { type: 'language', fallback: 'none' }).of(code);
  } catch {
    native = undefined; // not a locale the runtime can name itself in
  }
  return native && native !== name ? `${name} (${native})` : name;
}
