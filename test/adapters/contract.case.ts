/**
 * The adapter contract (after hono's `common.case.test.ts`): what every ChatAdapter must do, run against each
 * platform's fake server by `test/adapters/<platform>.contract.test.ts`. A new platform passes it before it is
 * listed in the composition root (adapters/README.md, "Adding a platform").
 *
 * A harness gives the adapter under test, connected to its platform's fake, and the few platform-specific facts
 * the cases need: how the platform checks a payload, how a member's reaction is written there, where a live
 * mention would show, how to lose an answer.
 */
import type {
  ChatAdapter,
  ChatEvent,
  HttpRoutes,
  OutgoingMessage,
  PostedMessage,
  RenderedPart,
} from '../../src/chat/types';
import type { Digest, Paper, SelectedPaper } from '../../src/app/types';
import { nonceFor } from '../../src/jobs/post';
import { displayEmoji, resolveVoteEmoji } from '../../src/votes/emoji';
import { seedDigest } from '../fakes/discord-server';

export interface AdapterHarness {
  adapter: ChatAdapter;
  /** A channel the bot may post in. */
  channelId: string;
  /** Two members of the platform and the bot's own user id, as readReactions reports users. */
  members: [string, string];
  botUserId: string;
  /** The problem the platform would answer for this payload (a limit exceeded, a malformed body), else undefined. */
  checkPart(part: RenderedPart): string | undefined;
  /** How many messages the platform holds that the bot posted (channel and threads). */
  count(): number;
  /** A member (or the bot) reacts to a message, the emoji written as the platform writes it. */
  react(message: PostedMessage, userId: string, platformEmoji: string): Promise<void> | void;
  /** The platform's forms of the default vote emoji (`+1`): each must count as a vote. */
  voteForms: string[];
  /** An emoji of the platform that is not a vote. */
  otherEmoji: string;
  /** Mentions in what the platform holds that would ping someone when shown (empty: none). */
  liveMentions(): string[];
  /** The next send's message is stored by the platform, but its answer is lost. */
  loseNextAnswer(): void;
  /** Routes of the shared HTTP server for start(). */
  routes: HttpRoutes;
  /** Delivers a member's reaction as a live event (the adapter started); absent where the fake has no live path. */
  deliverReaction?(message: PostedMessage, userId: string, platformEmoji: string): Promise<void>;
  /**
   * Delivers a member's click on a card's button `action` (`vote`, `ask`…), or their pick `value` from its menu
   * (`follow-author`), as the platform sends it (signed where it signs); absent where the fake has no live path.
   */
  deliverClick?(card: PostedMessage, userId: string, action: string, value?: string): Promise<void>;
  /** Delivers the member's submission of the last form the adapter opened from `card`, with `text` typed in. */
  deliverForm?(card: PostedMessage, userId: string, text: string): Promise<void>;
  /** An adapter of the same platform whose credentials the platform refuses. */
  unhealthyAdapter(): Promise<ChatAdapter>;
  close(): Promise<void>;
}

/** Paper and model text that tries every mention form of every platform. */
const PINGS =
  '@everyone @here @channel <!channel> <!here|here> <!everyone> <!subteam^S012AB3CD|@ml> <@U0MEMBER01> <@W0123ABC> <@123456789012345678> <@!123456789012345678> <@&223456789012345678>';

function pingingDigest(): Digest {
  const base = seedDigest({ longPaper: 1, mentionPaper: 2 });
  return {
    ...base,
    intro: `${base.intro} ${PINGS}`,
    tldr: `${base.tldr}\n\n${PINGS}`,
    selected: base.selected.map((p, i) =>
      i === 0 ? { ...p, title: `${p.title} ${PINGS}`, summary: `${p.summary}\n\n${PINGS}` } : p,
    ),
  };
}

/** Every kind of logical message, with paper and model text at its longest and trying to ping. */
export function everyMessageKind(): OutgoingMessage[] {
  const digest = pingingDigest();
  const voteEmoji = displayEmoji(['+1']);
  const paper = digest.selected[1] as Paper;
  const long = Array.from({ length: 40 }, (_, i) => `### Point ${i + 1}\n${paper.abstract} ${PINGS}`).join('\n\n');
  return [
    { kind: 'digest', digest, voteEmoji },
    ...digest.selected.map((p, index): OutgoingMessage => ({ kind: 'paper', digest, paper: p, index, voteEmoji })),
    // No requestedBy: naming the member who asked is the bot's own mention, not paper or model text.
    { kind: 'critique', paper, critique: long, cached: false },
    {
      kind: 'tally',
      name: digest.name,
      date: digest.date,
      lines: digest.selected.map((p, i) => ({ paper: p, votes: 5 - i, winner: i === 0 })),
      totalVoters: 7,
    },
    { kind: 'deep-dive', paper, text: long },
    // A new version: the comments, the note and every word of the diff are outside text.
    {
      kind: 'new-version',
      notice: {
        paper: { id: paper.id, version: paper.version + 1, title: `${paper.title} ${PINGS}` },
        previousVersion: paper.version,
        date: digest.date,
        comments: `Camera-ready ${PINGS}`,
        note: `The new version adds results. ${PINGS}`,
        diff: [
          { change: 'same', text: `${paper.abstract.slice(0, 200)} ` },
          { change: 'removed', text: `${PINGS} ` },
          { change: 'added', text: `${PINGS} *bold* ~strike~ ` },
          { change: 'gap', text: '' },
          { change: 'added', text: paper.abstract.repeat(3) },
        ],
      },
    },
    {
      kind: 'new-version',
      notice: {
        paper: { id: paper.id, version: paper.version + 2, title: paper.title },
        previousVersion: paper.version,
        date: digest.date,
        withdrawn: `This paper has been withdrawn by the authors. ${PINGS}`,
      },
    },
    // A member's question and the model's answer are outside text: neither may ping anyone.
    {
      kind: 'answer',
      paper,
      question: `Which datasets? ${PINGS} ${'very '.repeat(120)}long`,
      answer: long,
      source: 'Source: section “2 Results” of arXiv:2510.26352v1 (from its HTML full text).',
      cached: false,
    },
    { kind: 'text', text: 'No digest is posted in this channel, so there is no vote here.' },
  ];
}

/**
 * The two messages that mention members on purpose (src/follows): a card with its followers and "Also from people
 * you follow", their paper text trying every mention form. Only `followers`' ids may ping.
 */
export function followMessages(followers: [string, string]): OutgoingMessage[] {
  const digest = pingingDigest();
  const paper = digest.selected[0] as SelectedPaper;
  return [
    {
      kind: 'paper',
      digest,
      paper,
      index: 0,
      voteEmoji: displayEmoji(['+1']),
      followers: [
        { userId: followers[0], authors: [`${paper.authors[0] ?? 'A. Author'} ${PINGS}`], topics: [] },
        { userId: followers[1], authors: [], topics: [`alignment ${PINGS}`] },
      ],
    },
    {
      kind: 'followed',
      papers: digest.selected.slice(1, 4).map((p, i) => ({
        paper: { id: p.id, version: p.version, title: `${p.title} ${PINGS}` },
        authors: [`${p.authors[0] ?? 'A. Author'} ${PINGS}`],
        followers: i === 0 ? [followers[0], followers[1]] : [followers[1]],
      })),
      more: 4,
    },
  ];
}

async function sendAll(
  h: AdapterHarness,
  message: OutgoingMessage,
  thread?: Parameters<ChatAdapter['send']>[2],
): Promise<PostedMessage[]> {
  const out: PostedMessage[] = [];
  for (const part of h.adapter.render(message)) out.push(await h.adapter.send(h.channelId, part, thread));
  return out;
}

export function runAdapterContract(name: string, factory: () => Promise<AdapterHarness>): void {
  describe(`${name} adapter contract`, () => {
    let h: AdapterHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.adapter.stop();
      await h.close();
    });

    it('names its platform with an id the config can use', () => {
      expect(h.adapter.platform).toMatch(/^[a-z][a-z0-9-]*$/);
    });

    it('renders every kind of message into parts the platform accepts', () => {
      for (const message of everyMessageKind()) {
        const parts = h.adapter.render(message);
        expect(parts.length).toBeGreaterThan(0);
        for (const part of parts) expect([message.kind, h.checkPart(part)]).toEqual([message.kind, undefined]);
      }
    });

    it('sends to a channel and into a thread opened on a message, and the platform holds each once', async () => {
      const before = h.count();
      const [parent] = await sendAll(h, { kind: 'text', text: 'The digest of the day.' });
      if (!parent) throw new Error('nothing sent');
      expect(parent).toMatchObject({ platform: h.adapter.platform, channelId: h.channelId });
      expect(parent.messageId).toBeTruthy();
      const thread = await h.adapter.openThread(parent, 'nlp 2025-10-30');
      expect(thread).toMatchObject({ platform: h.adapter.platform, channelId: h.channelId });
      const replies = await sendAll(h, everyMessageKind()[1] as OutgoingMessage, thread);
      for (const reply of replies) {
        expect(reply).toMatchObject({ platform: h.adapter.platform, threadId: thread.threadId });
        expect(reply.messageId).not.toBe(parent.messageId);
      }
      expect(new Set(replies.map((r) => r.messageId)).size).toBe(replies.length);
      expect(h.count()).toBe(before + 1 + replies.length);
    });

    it('mentions a card\'s followers and the "Also from" message\'s followers, and nobody else', async () => {
      const [parent] = await sendAll(h, everyMessageKind()[0] as OutgoingMessage);
      if (!parent) throw new Error('nothing sent');
      const thread = await h.adapter.openThread(parent, 'nlp 2025-10-30');
      for (const message of followMessages(h.members)) {
        for (const part of h.adapter.render(message)) expect(h.checkPart(part)).toBeUndefined();
        await sendAll(h, message, thread);
      }
      const [a, b] = h.members;
      expect(h.liveMentions().filter((entry) => !entry.includes(a) && !entry.includes(b))).toEqual([]);
    });

    it('sends every kind of message, and none of the paper or model text pings anyone', async () => {
      const [parent] = await sendAll(h, everyMessageKind()[0] as OutgoingMessage);
      if (!parent) throw new Error('nothing sent');
      const thread = await h.adapter.openThread(parent, 'nlp 2025-10-30');
      for (const message of everyMessageKind().slice(1)) await sendAll(h, message, thread);
      expect(h.liveMentions()).toEqual([]);
    });

    it('reads back the members who voted, in every form of the vote emoji, each once, never the bot', async () => {
      const [parent] = await sendAll(h, { kind: 'text', text: 'The digest of the day.' });
      if (!parent) throw new Error('nothing sent');
      const thread = await h.adapter.openThread(parent, 'nlp 2025-10-30');
      const [card] = await sendAll(h, everyMessageKind()[1] as OutgoingMessage, thread);
      if (!card) throw new Error('nothing sent');
      const [a, b] = h.members;
      for (const form of h.voteForms) await h.react(card, a, form);
      await h.react(card, b, h.otherEmoji);
      await h.react(card, h.botUserId, h.voteForms[0] ?? '');
      const vote = resolveVoteEmoji(['+1']);
      expect(await h.adapter.readReactions(card, vote)).toEqual([a]);
      expect((await h.adapter.readReactions(card, resolveVoteEmoji(['+1', h.otherEmoji]))).sort()).toEqual(
        [a, b].sort(),
      );
      // On the channel message too (not only in a thread).
      await h.react(parent, b, h.voteForms[h.voteForms.length - 1] ?? '');
      expect(await h.adapter.readReactions(parent, vote)).toEqual([b]);
    });

    it('is exactly-once by the nonce: a part whose answer was lost is found or recognised, never posted twice', async () => {
      const [parent] = await sendAll(h, { kind: 'text', text: 'The digest of the day.' });
      if (!parent) throw new Error('nothing sent');
      const thread = await h.adapter.openThread(parent, 'nlp 2025-10-30');
      const [part] = h.adapter.render(everyMessageKind()[2] as OutgoingMessage);
      if (!part) throw new Error('nothing rendered');
      const nonce = nonceFor('nlp:2025-10-30:contract:paper-1#0', h.adapter.nonceLength);
      expect(nonce.length).toBeLessThanOrEqual(h.adapter.nonceLength);
      const before = h.count();
      h.loseNextAnswer();
      let first: PostedMessage | undefined;
      try {
        first = await h.adapter.send(h.channelId, part, thread, { nonce });
      } catch {
        first = undefined; // the adapter could not tell: the core resumes as below
      }
      // What src/jobs/post.ts does on resume: ask for the message by its nonce, else send it again with it.
      const found = (await h.adapter.findPosted?.(h.channelId, nonce, thread)) ?? undefined;
      const again = found ?? (await h.adapter.send(h.channelId, part, thread, { nonce }));
      expect(h.count()).toBe(before + 1);
      if (first) expect(again.messageId).toBe(first.messageId);
      if (h.adapter.findPosted) {
        expect(await h.adapter.findPosted(h.channelId, nonce, thread)).toMatchObject({ messageId: again.messageId });
        expect(
          await h.adapter.findPosted(h.channelId, nonceFor('never-sent', h.adapter.nonceLength), thread),
        ).toBeUndefined();
      }
    });

    it('starts and stops idempotently, and is healthy against its platform', async () => {
      const events: ChatEvent[] = [];
      await h.adapter.init({ processEvent: async (e) => void events.push(e) });
      await h.adapter.start(h.routes);
      await h.adapter.start(h.routes);
      expect(await h.adapter.healthy()).toBe(true);
      await h.adapter.stop();
      await h.adapter.stop();
      await h.adapter.start(h.routes);
      expect(await h.adapter.healthy()).toBe(true);
      await h.adapter.stop();
      const refused = await h.unhealthyAdapter();
      expect(await refused.healthy()).toBe(false);
      await refused.stop();
    });

    it('hands live reactions to the core in the neutral emoji form', async () => {
      if (!h.deliverReaction) return;
      const events: ChatEvent[] = [];
      await h.adapter.init({ processEvent: async (e) => void events.push(e) });
      await h.adapter.start(h.routes);
      const [parent] = await sendAll(h, { kind: 'text', text: 'The digest of the day.' });
      if (!parent) throw new Error('nothing sent');
      for (const form of h.voteForms) await h.deliverReaction(parent, h.members[0], form);
      await h.deliverReaction(parent, h.botUserId, h.voteForms[0] ?? '');
      for (let i = 0; i < 200 && events.length < h.voteForms.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual(
        h.voteForms.map(() => ({
          type: 'reaction',
          platform: h.adapter.platform,
          added: true,
          emoji: resolveVoteEmoji(['+1'])[0],
          userId: h.members[0],
          channelId: parent.channelId,
          messageId: parent.messageId,
        })),
      );
    });

    it("hands a card's clicks and its form to the core: the card's paper, the member, the message, never text", async () => {
      if (!h.deliverClick || !h.deliverForm) return;
      const events: ChatEvent[] = [];
      await h.adapter.init({
        processEvent: async (e) => {
          events.push(e);
          if (e.type === 'action' && e.action === 'ask' && e.paper)
            await e.openForm?.({
              form: 'ask',
              paper: e.paper,
              title: 'Ask the paper',
              label: 'Your question',
              maxLength: 500,
              submit: 'Ask',
            });
        },
      });
      await h.adapter.start(h.routes);
      const [parent] = await sendAll(h, { kind: 'text', text: 'The digest of the day.' });
      if (!parent) throw new Error('nothing sent');
      const thread = await h.adapter.openThread(parent, 'nlp 2025-10-30');
      const message = everyMessageKind()[1] as Extract<OutgoingMessage, { kind: 'paper' }>;
      const [card] = await sendAll(h, message, thread);
      if (!card) throw new Error('nothing sent');
      const [a] = h.members;
      const wait = async (n: number) => {
        for (let i = 0; i < 200 && events.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      };
      await h.deliverClick(card, a, 'vote');
      await h.deliverClick(card, a, 'follow-author', '1');
      await h.deliverClick(card, a, 'ask');
      await wait(3);
      await h.deliverForm(card, a, 'Which datasets does it use?');
      await wait(4);
      const paper = { id: message.paper.id, version: message.paper.version };
      const common = { platform: h.adapter.platform, paper, userId: a, messageId: card.messageId };
      expect(events).toEqual([
        expect.objectContaining({ type: 'action', action: 'vote', ...common }),
        expect.objectContaining({ type: 'action', action: 'follow-author', value: '1', ...common }),
        expect.objectContaining({ type: 'action', action: 'ask', ...common }),
        expect.objectContaining({ type: 'form', form: 'ask', text: 'Which datasets does it use?', ...common }),
      ]);
      for (const e of events) expect((e as { interactionId?: string }).interactionId).toBeTruthy();
    });

    it('says how its commands are written, if not as /command argument', () => {
      const example = h.adapter.commandExample?.('vote', '2510.26707') ?? '/vote 2510.26707';
      expect(example).toMatch(/^\/vote\b.*2510\.26707/);
    });
  });
}
