/**
 * A model that writes far past its completion cap (issue 21): fields of 20 KB made a thread of 77 Slack and 157
 * Discord messages (normally 11 and 12). Every field is bounded where answers are validated (src/llm/bounds.ts) and
 * a paper's messages in the chat layout: the thread takes as many messages as at the seed digest's length.
 */
import { renderDiscord } from '../../adapters/discord/render';
import { renderSlack } from '../../adapters/slack/render';
import { boundedParts } from '../../src/chat/layout';
import type { Digest } from '../../src/app/types';
import { runDigest } from '../../src/jobs/run';
import type { Assembly } from '../../src/jobs/assembly';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { makeWorld } from '../fakes/llm-world';

let ai: FakeOpenAi;
let seedLength: FakeOpenAi;
beforeAll(async () => {
  [ai, seedLength] = await Promise.all([startOpenAiServer(), startOpenAiServer({ prose: 'seed' })]);
});
afterAll(() => Promise.all([ai.close(), seedLength.close()]));

/** The thread's messages on each platform as postDigest sends them: the parent's parts, each paper's bounded parts. */
function threadCounts(digest: Digest): { slack: number; discord: number } {
  const count = (render: (m: Parameters<typeof renderSlack>[0]) => unknown[]) =>
    render({ kind: 'digest', digest }).length +
    digest.selected.reduce(
      (n, paper, index) =>
        n + boundedParts('paper', render({ kind: 'paper', digest, paper, index, voteEmoji: '👍' })).length,
      0,
    );
  return { slack: count(renderSlack), discord: count(renderDiscord) };
}

async function build(server: FakeOpenAi): Promise<Digest> {
  // A budget no hostile answer reaches: the bound is tested, not the budget.
  const world = await makeWorld({ ai: server, llm: { dailyTokenBudget: 10_000_000_000 } });
  const app: Assembly = { ctx: world.ctx, services: world.services, adapters: {} };
  const digest = world.ctx.config.digests[0];
  if (!digest) throw new Error('no digest');
  return (await runDigest(app, digest, { post: false })).digest;
}

it.each([20_000, 1_000_000])(
  'fields of %i characters: the thread stays at the normal count',
  async (size) => {
    const normal = threadCounts(await build(seedLength));
    ai.reset();
    ai.fail('giant', { times: 1000, size });
    const digest = await build(ai);
    expect(ai.requests.every((r) => r.outcome === 'giant')).toBe(true);
    expect(digest.notices).toEqual([]);
    expect(digest.selected).toHaveLength(5);
    for (const p of digest.selected) {
      expect(p.critique).toMatch(/ …$|…$/m);
      expect(p.summary.length).toBeLessThan(7000);
      expect(p.critique.length).toBeLessThan(7000);
      expect((p.tldr ?? '').length).toBeLessThanOrEqual(800);
    }
    expect(digest.intro.length).toBeLessThanOrEqual(1200);
    expect(threadCounts(digest)).toEqual(normal);
  },
  60_000,
);
