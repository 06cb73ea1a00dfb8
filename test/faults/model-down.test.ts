/**
 * The model down as the digest is due (issue 21): a storm of 500s, of 429s, or every call timing out. The digest is
 * posted on time without the model's text, saying so in one line on the parent; when the stand-in answers again one
 * fill-in round posts each paper's summary and critique once in every channel's thread, and a second posts nothing.
 */
import type { Assembly } from '../../src/jobs/assembly';
import { fillPendingSummaries, MODEL_DOWN_PREFIX } from '../../src/jobs/model-down';
import { runDigest } from '../../src/jobs/run';
import { parseCli } from '../../src/cli/args';
import { createScheduler } from '../../src/scheduler/scheduler';
import type { Fault } from '../fakes/openai-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { DISCORD_CHANNEL, SLACK_CHANNEL } from '../fakes/bot-fixture';
import { MemoryAdapter, MemoryPlatform } from '../fakes/memory-adapter';
import { makeWorld } from '../fakes/llm-world';

let ai: FakeOpenAi;
beforeAll(async () => {
  ai = await startOpenAiServer();
});
afterAll(() => ai.close());
beforeEach(() => ai.reset());

async function botWith(llm: Record<string, unknown> = {}) {
  const world = await makeWorld({
    ai,
    llm,
    client: { timeoutMs: 300, retries: 2 },
    digest: { channels: [{ slack: SLACK_CHANNEL }, { discord: DISCORD_CHANNEL }] },
  });
  const slack = new MemoryAdapter('slack', new MemoryPlatform(), 'UBOT');
  const discord = new MemoryAdapter('discord', new MemoryPlatform(), '999999999999999999');
  const app: Assembly = { ctx: world.ctx, services: world.services, adapters: { slack, discord } };
  const digest = world.ctx.config.digests[0];
  if (!digest) throw new Error('no digest');
  return { app, digest, slack, discord };
}

const storms: Array<[string, Fault]> = [
  ['500s', 'server-error'],
  ['429s', 'rate-limit'],
  ['timeouts', 'timeout'],
  ['answers cut mid-stream', 'cut'],
];

describe.each(storms)('a storm of %s when the digest is due', (_name, fault) => {
  it('posts on time with the note, then fills the threads once when the model is back', async () => {
    const { app, digest, slack, discord } = await botWith();
    ai.fail(fault, { times: 10_000 });
    const result = await runDigest(app, digest);
    expect(result.posted).toHaveLength(2);
    const [note] = result.digest.notices;
    expect(note?.startsWith(MODEL_DOWN_PREFIX)).toBe(true);
    expect(result.digest.notices).toHaveLength(1);
    for (const chat of [slack, discord]) {
      const [parent] = chat.ofKind('digest');
      expect(parent?.message.digest.notices).toEqual([note]);
      expect(chat.ofKind('paper')).toHaveLength(result.digest.selected.length);
    }
    const papers = result.digest.selected.length;
    expect(papers).toBeGreaterThan(0);
    expect(result.digest.selected.every((p) => p.critique === '')).toBe(true);

    // Still down: nothing posted, still pending.
    const down = await fillPendingSummaries(app);
    expect(down).toMatchObject({ posted: 0, pending: 1, stillDown: true });

    ai.reset();
    // The round after a down one waits FILL_RETRY_MS: a tick a minute later returns at once.
    expect(await fillPendingSummaries(app)).toEqual({ posted: 0, pending: 0 });
    (app.ctx as { clock: { now: () => number } }).clock = {
      ...app.ctx.clock,
      now: () => Date.parse('2025-10-30T12:05:00Z'),
    };
    const filled = await fillPendingSummaries(app);
    expect(filled).toEqual({ posted: 2 * papers, pending: 0 });
    for (const chat of [slack, discord]) {
      const fills = chat.ofKind('critique');
      expect(fills).toHaveLength(papers);
      expect(new Set(fills.map((f) => f.message.paper.id)).size).toBe(papers);
      for (const f of fills) {
        expect(f.threadId).toBeDefined();
        expect(f.message.critique).toMatch(/Summary[\s\S]*Critique/);
      }
    }
    const again = await fillPendingSummaries(app);
    expect(again).toEqual({ posted: 0, pending: 0 });
    expect(slack.ofKind('critique')).toHaveLength(papers);
    expect(discord.ofKind('critique')).toHaveLength(papers);
  }, 30_000);
});

it('llm.whenDown: wait fails the run as before, and posts nothing', async () => {
  const { app, digest, slack } = await botWith({ whenDown: 'wait' });
  ai.fail('server-error', { times: 10_000 });
  await expect(runDigest(app, digest)).rejects.toThrow(/LLM request failed \(HTTP 500/);
  expect(slack.sent).toHaveLength(0);
});

it('--no-llm builds without the model: no call, its own notice', async () => {
  const { app, digest } = await botWith();
  const result = await runDigest(app, digest, { noLlm: true, post: false });
  expect(ai.requests).toHaveLength(0);
  expect(result.digest.notices).toEqual([expect.stringMatching(/^Built without the language model \(--no-llm\)/)]);
  expect(result.digest.selected.length).toBeGreaterThan(0);
});

it("start's per-minute tick fills the threads once the model answers (the scheduler's hook)", async () => {
  const { app, digest, slack } = await botWith();
  ai.fail('server-error', { times: 10_000 });
  const result = await runDigest(app, digest);
  ai.reset();
  const scheduler = createScheduler(app, {
    run: async () => ({ digest: { ...result.digest, empty: true }, posted: [] }),
    followUps: [fillPendingSummaries],
  });
  await scheduler.sweep();
  expect(slack.ofKind('critique')).toHaveLength(result.digest.selected.length);
  await scheduler.sweep();
  expect(slack.ofKind('critique')).toHaveLength(result.digest.selected.length);
  await scheduler.stop();
});

it('digest --no-llm is parsed', () => {
  expect(parseCli(['digest', '--no-llm']).noLlm).toBe(true);
  expect(parseCli(['digest']).noLlm).toBe(false);
});
