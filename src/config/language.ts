/**
 * The language a digest is written in (`language:` per digest): an ISO 639-1 code, checked against the standard's
 * list (iso-639-1: the list with its English and native names, kept current, instead of a table of our own).
 */
import ISO6391 from 'iso-639-1';

export const DEFAULT_LANGUAGE = 'en';

export function isLanguageCode(code: string): boolean {
  return ISO6391.validate(code);
}

/** How the prompts name the language: "English", "Chinese (中文)". */
export function languageName(code: string): string {
  const name = ISO6391.getName(code) || code;
  const native = ISO6391.getNativeName(code);
  return native && native !== name ? `${name} (${native})` : name;
}
