/**
 * A member's follow pulls a paper into the digest past the first pass (the real runDigest and pipeline, no LLM: a
 * followed author's paper is kept ahead of the text ranking, as the config's `authors:` is), and its card carries
 * the follower; channels in a workspace without followers get plain cards.
 */
import { runDigest } from '../../src/jobs/run';
import { follow } from '../../src/follows/book';
import { firstPass } from '../../src/pipeline/firstpass';
import { SEED_OCT30, makeApp, testConfig } from '../fakes/bot-fixture';

const DATE = '2025-10-30';

test("a followed author's paper the text ranking leaves out is selected, and its card names the follower", async () => {
  const config = testConfig([{ name: `follows-${process.pid}-${Date.now()}`, maxPapers: 3 }]);
  const digest = config.digests[0]!;
  const bot = await makeApp(config);
  bot.arxiv.announce(DATE, SEED_OCT30);
  bot.slack.workspace = 'T0ARXIV001';
  // The paper the interests rank last of the day, and one of its authors.
  const last = firstPass(SEED_OCT30, digest).at(-1)!.paper;
  const author = last.authors[0]!;
  await follow(bot.store, { platform: 'slack', workspace: 'T0ARXIV001' }, 'U0FOLLOW01', 'author', author);

  const result = await runDigest(bot.app, digest, { date: DATE });
  expect(result.digest.selected.map((p) => p.id)).toContain(last.id);
  const cards = bot.slack.ofKind('paper');
  const card = cards.find((c) => c.message.paper.id === last.id)!;
  expect(card.message.followers).toEqual([{ userId: 'U0FOLLOW01', authors: [author], topics: [] }]);
  for (const other of cards.filter((c) => c !== card)) expect(other.message.followers).toBeUndefined();
  // Every followed paper made it: no "Also from" message.
  expect(bot.slack.ofKind('followed')).toEqual([]);
});

test('without a follower (or a workspace the platform names) the digest is the plain one', async () => {
  const config = testConfig([{ name: `plain-${process.pid}-${Date.now()}`, maxPapers: 3 }]);
  const digest = config.digests[0]!;
  const bot = await makeApp(config);
  bot.arxiv.announce(DATE, SEED_OCT30);
  const last = firstPass(SEED_OCT30, digest).at(-1)!.paper;
  await follow(bot.store, { platform: 'slack', workspace: 'T0ARXIV001' }, 'U0FOLLOW01', 'author', last.authors[0]!);
  // The memory platform names no workspace: the follows of T0ARXIV001 do not apply to its channels.
  const result = await runDigest(bot.app, digest, { date: DATE });
  expect(result.digest.selected.map((p) => p.id)).not.toContain(last.id);
  expect(bot.slack.ofKind('paper').every((c) => c.message.followers === undefined)).toBe(true);
});
