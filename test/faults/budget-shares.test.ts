/**
 * Members' commands and the scheduled digests share one daily token budget (issue 21). With a small budget, two
 * members' ten critiques each used to leave the next digest with 0 of 5 summaries: the digests' expected cost (from
 * the recorded days) is now reserved, members share what is left (one account at most `llm.memberShare` of it), and
 * a member refused by their share is told so in their reply.
 */
import type { CommandEvent } from '../../src/chat/types';
import { createChatHandler } from '../../src/interactions';
import type { Assembly } from '../../src/jobs/assembly';
import { runDigest } from '../../src/jobs/run';
import { keys } from '../../src/store/keys';
import type { emptyUsage } from '../../src/app/types';
import { critiquePaper } from '../../src/commands/critique';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { SEED_SELECTED, makeWorld } from '../fakes/llm-world';

let ai: FakeOpenAi;
beforeAll(async () => {
  ai = await startOpenAiServer();
});
afterAll(() => ai.close());
beforeEach(() => ai.reset());

const tokensOf = (u: ReturnType<typeof emptyUsage>) => u.promptTokens + u.completionTokens;

async function world(llm: Record<string, unknown> = {}) {
  // Screening off: the issue's scenario (two members' ten critiques each outweigh a digest) needs a digest that costs
  // less than twenty critiques; the stand-in's short papers make the screening pass a large part of a digest here.
  const w = await makeWorld({ ai, llm: { screenTokens: 0, ...llm } });
  const digest = w.ctx.config.digests[0];
  if (!digest) throw new Error('no digest');
  (w.ctx.config.commands as { critiquesPerHour: number }).critiquesPerHour = 100;
  const app: Assembly = { ctx: w.ctx, services: w.services, adapters: {} };
  return { ...w, app, digest };
}

function critiqueEvent(platform: 'slack' | 'discord', workspaceId: string, userId: string, paper: string) {
  const privately: string[] = [];
  const replies: unknown[] = [];
  const event: CommandEvent = {
    type: 'command',
    platform,
    command: 'critique',
    argument: paper,
    userId,
    channelId: platform === 'slack' ? 'C0123456789' : '123456789012345678',
    workspaceId,
    reply: async (m) => {
      replies.push(m);
      return undefined;
    },
    replyPrivately: async (text) => {
      privately.push(text);
    },
  };
  return { event, privately, replies };
}

it('the digest keeps its summaries after two members spent their share, and each is told', async () => {
  // What one digest and one critique cost against this stand-in, measured on a store of their own.
  const measure = await world();
  const built = await runDigest(measure.app, measure.digest, { post: false });
  const digestCost = tokensOf(built.digest.usage);
  expect(digestCost).toBeGreaterThan(0);
  const others = measure.day.papers.map((p) => p.id).filter((id) => !SEED_SELECTED.includes(id));
  const yesterday = await measure.store.get<{ tokens: number; scheduled: number }>('budget', keys.budget('2025-10-30'));
  const one = await critiquePaper(measure.ctx, measure.services, others[0] ?? '');
  expect(one.cached).toBe(false);
  const critiqueCost = tokensOf(one.usage);

  // A budget that fits the digest (with the reserve's margin) and a few critiques.
  // Yesterday's record, as the measured digest left it (what its calls reserved and spent): the recorded history.
  expect(yesterday?.scheduled).toBeGreaterThan(0);
  const reserve = Math.ceil((yesterday?.scheduled ?? 0) * 1.25);
  // A budget that fits the digest's reserve and four critiques: twenty would leave the digest next to nothing.
  const { app, digest, store } = await world({ dailyTokenBudget: reserve + 4 * critiqueCost, memberShare: 0.5 });
  expect(20 * critiqueCost).toBeGreaterThan(reserve);
  await store.set('budget', keys.budget('2025-10-29'), yesterday);
  const handler = createChatHandler(app);
  const members = [
    { platform: 'slack' as const, workspace: 'T0001', user: 'U0001' },
    { platform: 'discord' as const, workspace: '111111111111111111', user: '222222222222222222' },
  ];
  const told: string[] = [];
  let answered = 0;
  for (const [m, member] of members.entries()) {
    for (let i = 0; i < 10; i++) {
      const paper = others[1 + m * 10 + i] ?? '';
      const c = critiqueEvent(member.platform, member.workspace, member.user, paper);
      await handler.processEvent(c.event);
      answered += c.replies.length;
      told.push(...c.privately);
    }
  }
  expect(answered).toBeGreaterThan(0);
  expect(answered).toBeLessThanOrEqual(4);
  expect(told.length).toBe(20 - answered);
  for (const line of told) expect(line).toMatch(/share of today's LLM budget is spent/);

  const result = await runDigest(app, digest, { post: false });
  expect(result.digest.selected).toHaveLength(5);
  expect(result.digest.selected.every((p) => p.critique.trim().length > 0)).toBe(true);
  expect(result.digest.notices).toEqual([]);
}, 30_000);
