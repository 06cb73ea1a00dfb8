/** The one-line usage answer of a chat command, for a member who typed something that is not an arXiv id. */
import { ARXIV_ID_EXAMPLE } from '../arxiv/ids';
import type { ChatAdapter, CommandEvent } from '../chat/types';

/** An example id in the usage line. */
export const USAGE_EXAMPLE_ID = '2510.26707';

/** `/vote 2510.26707`, or as the adapter says its commands are written (`/vote paper:2510.26707`). */
export function commandExample(
  adapter: Pick<ChatAdapter, 'commandExample'> | undefined,
  command: CommandEvent['command'],
  argument = USAGE_EXAMPLE_ID,
): string {
  return adapter?.commandExample?.(command, argument) ?? `/${command} ${argument}`;
}

export function usageLine(example: string): string {
  return `Usage: ${example} (an arXiv id or URL, ${ARXIV_ID_EXAMPLE}).`;
}
