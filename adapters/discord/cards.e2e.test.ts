/**
 * A card's buttons on Discord, end to end with the core's handler: component interactions (type 3) and a modal
 * submit (type 5), signed as Discord signs them, POSTed to /discord/interactions; the answers checked in the fake
 * Discord API. Vote counts once and a second click takes it back (the card updated in place, type 7); Critique is
 * posted in the card's thread once on a double click; Ask… answers with a modal (type 9) whose submission reaches
 * the core; Not for us is acknowledged privately.
 */
import type { Services } from '../../src/pipeline/services';
import { createChatHandler } from '../../src/interactions';
import { postDigest } from '../../src/jobs/post';
import { emptyUsage } from '../../src/app/types';
import { readSignals, readVotes } from '../../src/votes/book';
import type { AppContext } from '../../src/context';
import { keys } from '../../src/store/keys';
import {
  commandInteraction,
  componentInteraction,
  type FakeDiscordServer,
  type FakeMessage,
  fakeDiscordContext,
  InteractionSigner,
  modalSubmitInteraction,
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
let ctx: AppContext;
const signer = new InteractionSigner();
const critiqued: string[] = [];
const digest = seedDigest();

beforeAll(async () => {
  fake = await startFakeDiscord({ channels: [CHANNEL] });
  server = await startRoutesServer();
  const clock = { now: () => NOW, sleep: async () => {} };
  ctx = await fakeDiscordContext(fake, {
    clock,
    env: { DISCORD_PUBLIC_KEY: signer.publicKeyHex },
    config: {
      digests: [
        {
          name: digest.name,
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
        const paper = digest.selected.find((p) => input.startsWith(p.id))!;
        return { paper, critique: '### Strengths\n\nA clear idea.', cached: false, usage: emptyUsage() };
      },
    },
  );
  await adapter.init(handler);
  await adapter.start(server.routes);
  // As the pipeline leaves it: the built digest in the store (the card's authors are read from it).
  await ctx.store.set('digests', keys.digest(digest.name, digest.date), digest);
  await postDigest(ctx.store, adapter, CHANNEL, digest, ['+1']);
});

afterAll(async () => {
  await adapter.stop();
  await server.close();
  await fake.close();
});

const thread = () => fake.messagesIn(CHANNEL)[0]!.id;
const card = (i: number): FakeMessage =>
  fake.messagesIn(thread()).filter((m) => (m.components?.length ?? 0) > 0)[i] as FakeMessage;

let n = 0;
async function send(payloadOf: (token: string, id: string) => Record<string, unknown>, messageId: string) {
  n += 1;
  const token = `Y2FyZHMtdG9rZW4${n}`;
  fake.registerInteraction(token, thread(), fake.applicationId, { messageId });
  const res = await postInteraction(
    `${server.url}/discord/interactions`,
    signer,
    payloadOf(token, `14100000000000000${10 + n}`),
    {
      timestamp: String(Math.floor(NOW / 1000)),
    },
  );
  await adapter.settled();
  return { res, token, followUps: fake.calls.filter((c) => c.method === 'POST' && c.path.includes(token)) };
}

function click(message: FakeMessage, customId: string, values?: string[]) {
  return send(
    (token, id) =>
      componentInteraction({
        customId,
        message,
        applicationId: fake.applicationId,
        userId: MEMBER,
        token,
        id,
        ...(values ? { values } : {}),
      }),
    message.id,
  );
}

const idOf = (message: FakeMessage, prefix: string) =>
  (message.components ?? [])
    .flatMap((r) => (r.components as Array<{ custom_id: string }>) ?? [])
    .find((c) => c.custom_id.startsWith(prefix))!.custom_id;

it('puts five buttons and an author menu on every card, within 5 rows of 5', () => {
  const first = card(0);
  const rows = first.components as Array<{ type: number; components: Array<{ type: number; label?: string }> }>;
  expect(rows.length).toBeLessThanOrEqual(5);
  expect(rows[0]!.components.map((c) => c.label)).toEqual(['👍 Vote', 'Critique', 'Ask…', 'Not for us', 'Why?']);
  expect(rows[1]!.components[0]!.type).toBe(3);
  expect(idOf(first, 'ad:vote:')).toBe(`ad:vote:${digest.selected[0]!.id}v${digest.selected[0]!.version}`);
});

it('counts a Vote click once and takes it back on the second, the card showing the count', async () => {
  const first = card(0);
  const paper = digest.selected[0]!;
  const one = await click(first, idOf(first, 'ad:vote:'));
  expect(one.res.body).toMatchObject({ type: 7 });
  expect(JSON.stringify((one.res.body as { data: unknown }).data)).toContain('Vote · 1');
  expect((one.followUps[0]!.body as { content: string; flags: number }).content).toMatch(/^Your vote for .* counts/);
  expect((await readVotes(ctx.store, digest.name, digest.date)).find((r) => r.paperId === paper.id)?.count).toBe(1);
  const two = await click(first, idOf(first, 'ad:vote:'));
  expect(JSON.stringify((two.res.body as { data: unknown }).data)).not.toContain('Vote · ');
  expect((await readVotes(ctx.store, digest.name, digest.date)).find((r) => r.paperId === paper.id)?.count).toBe(0);
});

it("posts a Critique in the card's thread once on a double click", async () => {
  const second = card(1);
  const before = fake.messagesIn(thread()).length;
  const [a, b] = await Promise.all([
    click(second, idOf(second, 'ad:critique:')),
    click(second, idOf(second, 'ad:critique:')),
  ]);
  expect([a.res.body, b.res.body]).toEqual([{ type: 6 }, { type: 6 }]);
  expect(critiqued).toEqual([`${digest.selected[1]!.id}v${digest.selected[1]!.version}`]);
  const added = fake.messagesIn(thread()).slice(before);
  expect(added.filter((m) => String(m.embeds[0]?.title ?? '').startsWith('Critique:'))).toHaveLength(1);
});

it('answers Ask… with a modal whose submission reaches the core', async () => {
  const first = card(0);
  const opened = await click(first, idOf(first, 'ad:ask:'));
  const modal = opened.res.body as {
    type: number;
    data: Parameters<typeof modalSubmitInteraction>[0]['modal'] & { title: string };
  };
  expect(modal.type).toBe(9);
  expect(modal.data.custom_id).toBe(`ad:ask:${digest.selected[0]!.id}v${digest.selected[0]!.version}:${first.id}`);
  const submitted = await send(
    (token, id) =>
      modalSubmitInteraction({
        modal: modal.data,
        message: first,
        text: 'Which datasets?',
        applicationId: fake.applicationId,
        userId: MEMBER,
        token,
        id,
      }),
    first.id,
  );
  expect(submitted.res.body).toEqual({ type: 6 });
  // This stand-in has no model: the member is told privately that the question could not be answered.
  expect((submitted.followUps[0]!.body as { content: string; flags: number }).flags).toBe(64);
});

it('acknowledges Not for us privately and records the signal', async () => {
  const third = card(2);
  const res = await click(third, idOf(third, 'ad:not-for-us:'));
  expect((res.followUps[0]!.body as { content: string }).content).toMatch(/is not for us/);
  expect((await readSignals(ctx.store, digest.name, digest.date)).map((s) => s.kind)).toContain('not-for-us');
});

it('follows the author picked from the menu', async () => {
  const first = card(0);
  const res = await click(first, idOf(first, 'ad:follow-author:'), ['0']);
  expect((res.followUps[0]!.body as { content: string }).content).toMatch(/^You now follow the author/);
});

it('answers /digest me privately with the member’s page', async () => {
  n += 1;
  const token = `ZGlnZXN0LW1lLXRva2Vu${n}`;
  fake.registerInteraction(token, CHANNEL);
  const payload = commandInteraction({
    name: 'digest',
    applicationId: fake.applicationId,
    channelId: CHANNEL,
    userId: MEMBER,
    token,
    id: `14400000000000000${10 + n}`,
  });
  (payload.data as { options?: unknown }).options = [{ name: 'me', type: 1 }];
  const res = await postInteraction(`${server.url}/discord/interactions`, signer, payload, {
    timestamp: String(Math.floor(NOW / 1000)),
  });
  await adapter.settled();
  expect(res.body).toEqual({ type: 5, data: { flags: 64 } });
  const [edit] = fake.calls.filter((c) => c.method === 'PATCH' && c.path.includes(token));
  const text = (edit!.body as { content: string }).content;
  expect(text).toMatch(/^\*\*Your arXiv digest page\*\*/);
  // The author followed from the menu above, and the vote cast and taken back (no longer listed).
  expect(text).toContain(`You follow: ${digest.selected[0]!.authors[0]}`);
  expect(text).toContain('/digest private');
});
