/**
 * The Discord adapter with the core's own chat handler (src/interactions): a digest posted with postDigest,
 * then signed HTTP interactions — /critique of a paper in the digest answered in the digest's thread, a malformed
 * id answered privately at no LLM cost, /vote counted — all through the fake Discord API.
 */
import type { Services } from '../../src/pipeline/services';
import { createChatHandler } from '../../src/interactions';
import { postDigest } from '../../src/jobs/post';
import { emptyUsage } from '../../src/app/types';
import {
  commandInteraction,
  type FakeDiscordServer,
  fakeDiscordContext,
  InteractionSigner,
  postInteraction,
  seedDigest,
  startFakeDiscord,
  startRoutesServer,
} from '../../test/fakes/discord-server';
import type { DiscordAdapter } from './adapter';
import { createDiscordAdapter } from './index';

const CHANNEL = '1200000000000000001';
const MEMBER = '1600000000000000042';
const NOW = Date.parse('2025-10-30T16:00:00Z');

let fake: FakeDiscordServer;
let server: Awaited<ReturnType<typeof startRoutesServer>>;
let adapter: DiscordAdapter;
const signer = new InteractionSigner();
const critiqued: string[] = [];
const digest = seedDigest();

beforeAll(async () => {
  fake = await startFakeDiscord({ channels: [CHANNEL] });
  server = await startRoutesServer();
  const clock = { now: () => NOW, sleep: async () => {} };
  const ctx = await fakeDiscordContext(fake, {
    clock,
    env: { DISCORD_PUBLIC_KEY: signer.publicKeyHex },
    config: {
      digests: [
        {
          name: 'nlp',
          categories: ['cs.CL'],
          interests: 'LLM reasoning',
          timezone: 'America/New_York',
          channels: [{ discord: CHANNEL }],
        },
      ],
    },
  });
  adapter = createDiscordAdapter(ctx, { rest: { retries: 0, rateLimitOffsetMs: 0 } })!;
  const services = { arxiv: {}, llm: {} } as unknown as Services;
  const handler = createChatHandler(
    { ctx, services, adapters: { discord: adapter } },
    {
      critique: async (_ctx, _services, input) => {
        critiqued.push(input);
        const paper = digest.selected.find((p) => p.id === input)!;
        return { paper, critique: '### Strengths\n\n@everyone a clear idea.', cached: false, usage: emptyUsage() };
      },
    },
  );
  await adapter.init(handler);
  await adapter.start(server.routes);
  await postDigest(ctx.store, adapter, CHANNEL, digest, ['+1']);
});

afterAll(async () => {
  await adapter.stop();
  await server.close();
  await fake.close();
});

let n = 0;
async function slash(name: string, paper: string) {
  n += 1;
  const token = `ZTJlLXRva2Vu${n}`;
  fake.registerInteraction(token, CHANNEL);
  const payload = commandInteraction({
    name,
    paper,
    applicationId: fake.applicationId,
    channelId: CHANNEL,
    userId: MEMBER,
    token,
    id: `14000000000000000${10 + n}`,
  });
  const res = await postInteraction(`${server.url}/discord/interactions`, signer, payload, {
    timestamp: String(Math.floor(NOW / 1000)),
  });
  await adapter.settled();
  return { res, calls: fake.calls.filter((c) => c.path.includes(token)) };
}

it('answers /critique of a digest paper in the digest thread and points there', async () => {
  const paper = digest.selected[1]!;
  const { res, calls } = await slash('critique', `https://arxiv.org/abs/${paper.id}`);
  expect(res.body).toEqual({ type: 5 });
  expect(critiqued).toEqual([paper.id]);
  const threadId = fake.messagesIn(CHANNEL)[0]!.id;
  const answer = fake.messagesIn(threadId).at(-1)!;
  expect(answer.embeds[0]!.title).toBe(`Critique: ${paper.title}`);
  expect(answer.content).toBe(`Requested by <@${MEMBER}>`);
  expect(JSON.stringify(answer.embeds)).toContain('@\u200Beveryone');
  expect(calls.map((c) => c.method)).toEqual(['PATCH']);
  expect((calls[0]!.body as { content: string }).content).toBe(`Answered in <#${threadId}>.`);
});

it('answers a malformed id privately with the usage line, without calling the LLM', async () => {
  const { res, calls } = await slash('critique', 'not-a-paper');
  expect(res.body).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
  expect((res.body as { data: { content: string } }).data.content).toMatch(/^Usage: \/critique paper:2510\.26707/);
  expect(critiqued).toHaveLength(1);
  expect(calls).toHaveLength(0);
});

it('counts /vote once per member and says so privately', async () => {
  const paper = digest.selected[0]!;
  const first = await slash('vote', paper.id);
  const again = await slash('vote', paper.id);
  expect((first.calls[1]!.body as { content: string }).content).toContain(`Your vote for ${paper.id} counts`);
  expect((again.calls[1]!.body as { content: string }).content).toContain('You have already voted');
});
