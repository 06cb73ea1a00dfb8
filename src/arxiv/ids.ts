/**
 * arXiv identifiers, parsed and normalised in one place: new-style (`2510.26707`, `2510.26707v2`, `0704.0001`),
 * old-style (`hep-th/9901001`, `math.GT/0309136v1`), an `arXiv:` prefix, and abs/pdf/html URLs.
 */
import { ErrorCode, UserInputError } from '../app/errors';

export interface ArxivId {
  /** Without version. */
  id: string;
  /** Present when the input named one. */
  version?: number;
}

const NEW_STYLE = /^(\d{4}\.\d{4,5})(?:v(\d+))?$/;
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?\/\d{7})(?:v(\d+))?$/;
const URL_PATH = /^\/(?:abs|pdf|html|format)\/(.+?)(?:\.pdf)?\/?$/;

export const ARXIV_ID_EXAMPLE = 'e.g. 2510.26707, 2510.26707v2, hep-th/9901001 or https://arxiv.org/abs/2510.26707';

/** Parses an id or URL; undefined when it is not one. */
export function tryParseArxivId(input: string): ArxivId | undefined {
  let s = input.trim();
  if (!s) return undefined;
  if (/^https?:\/\//i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return undefined;
    }
    if (!/(^|\.)arxiv\.org$/i.test(url.hostname) && !/^(localhost|127\.0\.0\.1)$/.test(url.hostname)) return undefined;
    const m = URL_PATH.exec(url.pathname);
    if (!m?.[1]) return undefined;
    s = decodeURIComponent(m[1]);
  }
  s = s.replace(/^arxiv:/i, '');
  const m = NEW_STYLE.exec(s) ?? OLD_STYLE.exec(s);
  if (!m?.[1]) return undefined;
  const [yymm] = m[1].includes('/') ? [m[1].split('/')[1]?.slice(0, 4) ?? ''] : [m[1].slice(0, 4)];
  const month = Number(yymm.slice(2, 4));
  if (month < 1 || month > 12) return undefined;
  if (m[1].includes('.') && !m[1].includes('/')) {
    // Five-digit numbers began in 1501; four-digit ones ended in 1412.
    const digits = m[1].split('.')[1]?.length ?? 0;
    const yy = Number(yymm.slice(0, 2));
    if (digits === 5 && yy < 15) return undefined;
    if (digits === 4 && yy >= 15) return undefined;
  }
  const result: ArxivId = { id: m[1] };
  if (m[2] !== undefined) {
    const v = Number(m[2]);
    if (v < 1) return undefined;
    result.version = v;
  }
  return result;
}

/** Parses an id or URL; throws a one-line UserInputError that shows an example otherwise. */
export function parseArxivId(input: string): ArxivId {
  const parsed = tryParseArxivId(input);
  if (!parsed) {
    const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input;
    throw new UserInputError(`not an arXiv id: "${shown}" (expected ${ARXIV_ID_EXAMPLE})`, ErrorCode.InvalidArxivId);
  }
  return parsed;
}
