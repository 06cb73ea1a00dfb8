/**
 * Critiques on request: `/critique <id>` and a card's Critique button. The critique goes in the paper's digest
 * thread (the card's own thread for a click), or privately when the member prefers (their page's setting); its
 * cost is the member's hourly allowance, the day's budget answers the rest (src/jobs/limits.ts).
 */
import { oneLine } from '../app/errors';
import { disarmMentions, outsideText } from '../app/text';
import { type CritiqueResult, critiquePaper } from '../commands/critique';
import { commandExample, usageLine } from '../commands/usage';
import type { ThreadRef } from '../chat/types';
import { currentChannelDigest } from '../jobs/current';
import { llmCommandErrorLine, type LlmCommandGate } from '../jobs/limits';
import { keys } from '../store/keys';
import type { Interaction, InteractionRegistry } from './registry';
import { paperArgument } from './options';
import { llmAllowance, onCard, once } from './limits';
import { noteActivity, recordInterest } from './signals';
import { prefersPrivate } from './preferences';

function gate(ix: Interaction): LlmCommandGate {
  return {
    cannot: 'write critiques',
    perHour: ix.app.ctx.config.commands.critiquesPerHour,
    turnedOff: 'Critiques on request are turned off here (commands.critiquesPerHour is 0).',
    key: keys.critiqueUses,
    limitReached: (perHour, minutes) =>
      `You have asked for ${perHour} critiques this hour, the limit per member; please try again in ${minutes} minutes.`,
  };
}

/** Writes (or finds cached) the critique of `id` and posts it `where`; a failure is one private line. */
async function critiqueTo(
  ix: Interaction,
  critique: typeof critiquePaper,
  id: string,
  where: { thread?: ThreadRef; card?: { digest: string; date: string } },
): Promise<void> {
  let result: CritiqueResult;
  try {
    result = await critique(ix.app.ctx, ix.app.services, id);
  } catch (err) {
    ix.log.warn({ paper: id, user: ix.member.userId, err: oneLine(err) }, 'critique failed');
    await ix.replyPrivately(
      llmCommandErrorLine(id, err, {
        failed: `The critique of ${id} could not be written`,
        budgetSpent:
          "Today's LLM budget is spent, so no new critiques until tomorrow; sorry. Cached critiques still work.",
      }),
    );
    return;
  }
  const place = { platform: ix.platform, channelId: ix.channelId, userId: ix.member.userId };
  await recordInterest(ix.app, { ...place, ...(where.card ? { card: where.card } : {}) }, result.paper.id, 'critique');
  await noteActivity(ix.app, place, {
    paper: { id: result.paper.id, version: result.paper.version, title: result.paper.title },
    what: 'critique',
  });
  if (await prefersPrivate(ix)) {
    // Paper and model text: made outside text and disarmed, as every adapter does for a visible critique.
    const text = disarmMentions(outsideText(`${result.paper.title}\n\n${result.critique}`));
    await ix.replyPrivately(`Critique of ${result.paper.id}v${result.paper.version} (only you see this): ${text}`);
    return;
  }
  await ix.reply(
    {
      kind: 'critique',
      paper: result.paper,
      critique: result.critique,
      cached: result.cached,
      requestedBy: ix.member.userId,
    },
    where.thread,
  );
}

export function registerCritique(registry: InteractionRegistry, critique: typeof critiquePaper = critiquePaper): void {
  registry.command('critique', {
    options: paperArgument,
    usage: (ix) => usageLine(commandExample(ix.app.adapters[ix.platform], 'critique')),
    limits: [llmAllowance(gate)],
    async handle(ix, { argument }) {
      const current = await currentChannelDigest(ix.app, ix.platform, ix.channelId);
      const thread = current?.posted?.papers[argument.id] ? current.posted.thread : undefined;
      await critiqueTo(ix, critique, argument.id, thread ? { thread } : {});
    },
  });

  registry.action('critique', {
    limits: [onCard, once('critique', (ix) => `${ix.card?.paperId}v${ix.card?.version}`), llmAllowance(gate)],
    async handle(ix) {
      const card = ix.card;
      if (!card) return;
      await critiqueTo(ix, critique, `${card.paperId}v${card.version}`, {
        ...(ix.thread ? { thread: ix.thread } : {}),
        card,
      });
    },
  });
}
