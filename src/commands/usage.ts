/** The one-line usage answer of a chat command, for a member who typed something that is not an arXiv id. */
import { ARXIV_ID_EXAMPLE } from '../arxiv/ids';
import type { Platform } from '../chat/types';

export function usageLine(platform: Platform, command: 'critique' | 'vote'): string {
  const example = platform === 'discord' ? `/${command} paper:2510.26707` : `/${command} 2510.26707`;
  return `Usage: ${example} (an arXiv id or URL, ${ARXIV_ID_EXAMPLE}).`;
}
