/** Option schemas shared by registrations: what a member typed, checked before any handler runs. */
import { z } from 'zod';
import { tryParseArxivId } from '../arxiv/ids';

/** `/vote 2510.26707`, `/critique https://arxiv.org/abs/2510.26707v2`: an arXiv id or URL, parsed. */
export const paperArgument = z.object({
  argument: z.string().transform((text, ctx) => {
    const parsed = tryParseArxivId(text);
    if (!parsed) {
      ctx.addIssue({ code: 'custom', message: 'not an arXiv id' });
      return z.NEVER;
    }
    return parsed;
  }),
});
