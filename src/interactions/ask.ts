/**
 * A member's question to a paper, the same for every platform: which paper (src/ask/question.ts), where the answer
 * goes (the digest's thread the question was asked in, or the thread of the channel's digest that holds the
 * paper), the member's hourly limit, the daily budget, and the answer itself (src/ask/answer.ts), posted visibly in
 * the thread. Everything the member is told privately is one line of the bot's own, with no paper or model text.
 *
 * A digest's thread holds all its papers (one card each), so a question names its paper when the digest has more
 * than one: by its number (`#2`, as the cards are numbered) or its arXiv id; a one-paper digest needs neither.
 * Slack's slash commands carry no thread, so `/ask` there names the paper the same way: `/ask 2510.26707 which
 * datasets?` or `/ask #2 which datasets?` (the channel's latest digest), and the answer goes to that digest's thread.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CommandEvent, FormEvent, Platform, ThreadRef } from '../chat/types';
import type { Assembly } from '../jobs/assembly';
import type { PostedDigest } from '../jobs/post';
import { currentChannelDigest, digestOfThread } from '../jobs/current';
import { answerQuestion, type PaperAnswer } from '../ask/answer';
import { type PaperRef, parseQuestion } from '../ask/question';
import { tryParseArxivId } from '../arxiv/ids';
import { withdrawalOf } from '../arxiv/withdrawn';
import { oneLine } from '../app/errors';
import type { Paper } from '../app/types';
import type { DigestConfig } from '../config/schema';
import { readBuiltDigest } from '../pipeline/digest';
import { keys, locks } from '../store/keys';
import type { SignalKind } from '../votes/book';
import { admitLlmCommand, llmCommandErrorLine, takeOnce, takenMark } from '../jobs/limits';
import type { Interaction, InteractionRegistry } from './registry';
import { onCard, once } from './limits';
import { noteActivity, recordInterest } from './signals';

/** How long a question message is remembered as answered (a platform's redelivery comes within minutes). */
const TAKEN_TTL_MS = 86_400_000;
/** A question message already answered ('ratelimit', keys.askTaken). */
const ASK_TAKEN = takenMark(TAKEN_TTL_MS);
/** How old a digest's thread may be and still answer questions (its papers' answers are cached for 90 days). */
const THREAD_DAYS = 30;

interface ThreadDigest {
  digest: DigestConfig;
  date: string;
  posted: PostedDigest;
  /** The selected papers in the digest's order (card #1 first). */
  papers: Paper[];
}

/** A question as handleAsk reads it: /ask, a mention of the bot, or the Ask… form of a card. */
export type AskEvent = Pick<
  CommandEvent,
  'platform' | 'argument' | 'paper' | 'threadId' | 'messageId' | 'userId' | 'channelId' | 'reply' | 'replyPrivately'
>;

export interface AskDeps {
  /** Records the learning signal (src/interactions/signals.ts recordInterest). */
  recordInterest(
    event: Pick<AskEvent, 'platform' | 'channelId' | 'userId'>,
    paperId: string,
    kind: SignalKind,
  ): Promise<void>;
  /** How the member writes /ask on their platform, for usage lines. */
  example(event: AskEvent): string;
}

/** The selected papers of a posted digest, in order; the posted cards' ids when the built digest is gone. */
async function papersOf(app: Assembly, digest: DigestConfig, date: string, posted: PostedDigest): Promise<Paper[]> {
  const built = await readBuiltDigest(app.ctx.store, digest.name, date);
  if (built?.selected?.length) return built.selected;
  const out: Paper[] = [];
  for (const id of Object.keys(posted.papers)) {
    const parsed = tryParseArxivId(id);
    if (parsed) out.push(await app.services.arxiv.getPaper(parsed));
  }
  return out;
}

/**
 * The digest whose thread the member typed in: Slack a mention's `thread_ts` in that channel; Discord the
 * interaction's channel, which is the thread. Among the digests posted on that platform in the last THREAD_DAYS.
 */
async function digestInThread(app: Assembly, event: AskEvent): Promise<ThreadDigest | undefined> {
  const found = await digestOfThread(app, event.platform, event.threadId ?? event.channelId, {
    ...(event.threadId ? { channelId: event.channelId } : {}),
    days: THREAD_DAYS,
  });
  return found && { ...found, papers: await papersOf(app, found.digest, found.date, found.posted) };
}

/** The channel's latest posted digest (Slack `/ask #2 …` typed in the channel). */
async function digestOfChannel(
  app: Assembly,
  platform: Platform,
  channelId: string,
): Promise<ThreadDigest | undefined> {
  const current = await currentChannelDigest(app, platform, channelId);
  if (!current?.posted) return undefined;
  return {
    ...current,
    posted: current.posted,
    papers: await papersOf(app, current.digest, current.date, current.posted),
  };
}

/** The `paper` option (Discord): an arXiv id, or a paper's number with or without `#`. */
function paperOption(value: string): PaperRef | undefined {
  const n = /^#?\s*(\d{1,3})$/.exec(value.trim());
  if (n) return Number(n[1]) >= 1 ? { kind: 'index', index: Number(n[1]) } : undefined;
  const ref = tryParseArxivId(value);
  return ref ? { kind: 'id', ref } : undefined;
}

/** True the first time a question message is seen (Slack may deliver an event twice; Socket Mode redelivers). */
async function firstDelivery(app: Assembly, event: AskEvent): Promise<boolean> {
  if (!event.messageId) return true;
  const key = keys.askTaken(event.platform, event.channelId, event.messageId);
  return takeOnce(
    app.ctx.store,
    locks.askTakenRecord(event.platform, event.channelId, event.messageId),
    ASK_TAKEN,
    key,
  );
}

function numbered(papers: Paper[]): string {
  return papers
    .slice(0, 9)
    .map((p, i) => `#${i + 1} ${p.id}`)
    .join(', ');
}

/** The paper asked about and the digest whose thread answers; undefined when the member was told why not. */
async function resolveTarget(
  app: Assembly,
  event: AskEvent,
  ref: PaperRef | undefined,
  usage: string,
): Promise<{ digest?: ThreadDigest; paper?: Paper } | undefined> {
  const inThread = await digestInThread(app, event);
  if (ref?.kind === 'index') {
    const digest = inThread ?? (await digestOfChannel(app, event.platform, event.channelId));
    if (!digest) {
      await event.replyPrivately(`No digest is posted here, so there is no paper #${ref.index}. ${usage}`);
      return undefined;
    }
    const paper = digest.papers[ref.index - 1];
    if (!paper) {
      await event.replyPrivately(
        `The ${digest.digest.name} digest of ${digest.date} has ${digest.papers.length} paper${digest.papers.length === 1 ? '' : 's'}: ${numbered(digest.papers)}. ${usage}`,
      );
      return undefined;
    }
    return { digest, paper };
  }
  if (ref?.kind === 'id') {
    const paper = inThread?.papers.find((p) => p.id === ref.ref.id);
    if (paper) return { ...(inThread ? { digest: inThread } : {}), paper };
    // A paper outside this thread's digest: answered in the thread of the channel's digest that holds it, else here.
    const channelDigest = inThread ? undefined : await digestOfChannel(app, event.platform, event.channelId);
    const held = channelDigest?.papers.find((p) => p.id === ref.ref.id);
    if (held && channelDigest) return { digest: channelDigest, paper: held };
    return inThread ? { digest: inThread } : {};
  }
  if (inThread) {
    if (inThread.papers.length === 1)
      return { digest: inThread, ...(inThread.papers[0] ? { paper: inThread.papers[0] } : {}) };
    await event.replyPrivately(
      `This thread has ${inThread.papers.length} papers (${numbered(inThread.papers)}): say which one. ${usage}`,
    );
    return undefined;
  }
  // Said without claiming where the member is: Slack's slash commands do not tell the thread they were typed in.
  await event.replyPrivately(
    `Which paper? No digest thread was found where you asked, and the question names none. ${usage}`,
  );
  return undefined;
}

/** The question's paper reference: the `paper` option when given (Discord, the card's form), else the text's. */
async function questionOf(event: AskEvent, usage: string): Promise<{ ref?: PaperRef; question: string } | undefined> {
  const parsed = parseQuestion(event.argument);
  let ref = parsed.paper;
  if (event.paper?.trim()) {
    ref = paperOption(event.paper);
    if (!ref) {
      await event.replyPrivately(
        `"${event.paper.trim().slice(0, 40)}" is not a paper: expected its number in the digest (2 or #2) or an arXiv id (e.g. 2510.26707).`,
      );
      return undefined;
    }
  }
  if (!parsed.question) {
    await event.replyPrivately(`Your question is empty. ${usage}`);
    return undefined;
  }
  return { ...(ref ? { ref } : {}), question: parsed.question };
}

/** Answers the question; resolves to the paper answered about (undefined when the member was told why not). */
export async function handleAsk(
  app: Assembly,
  event: AskEvent,
  deps: AskDeps,
): Promise<PaperAnswer['paper'] | undefined> {
  const log = app.ctx.log.child({ component: 'ask' });
  if (!(await firstDelivery(app, event))) {
    log.debug({ platform: event.platform, message: event.messageId }, 'question delivered again: already taken');
    return;
  }
  const usage = `Ask a paper in its digest's thread: ${deps.example(event)}. Name the paper by its number in the digest (#2) or its arXiv id when the digest has several.`;
  const asked = await questionOf(event, usage);
  if (!asked) return;
  const { ref } = asked;
  const target = await resolveTarget(app, event, ref, usage);
  if (!target) return;
  const { digest, paper } = target;

  const admitted = await admitLlmCommand(app, event, {
    cannot: 'answer questions about papers',
    perHour: app.ctx.config.commands.asksPerHour,
    turnedOff: 'Questions to papers are turned off here (commands.asksPerHour is 0).',
    key: keys.askUses,
    limitReached: (perHour, minutes) =>
      `You have asked ${perHour} questions this hour, the limit per member; please try again in ${minutes} minutes.`,
  });
  if (!admitted) return;

  const id = paper?.id ?? (ref?.kind === 'id' ? ref.ref.id : '');
  let answer: PaperAnswer;
  try {
    // A paper named by id outside any digest: its metadata from arXiv (cached), the version asked for if any.
    const asking = paper ?? (await app.services.arxiv.getPaper((ref as Extract<PaperRef, { kind: 'id' }>).ref));
    if (withdrawalOf(asking)) {
      await event.replyPrivately(`${asking.id} has been withdrawn by its authors, so there is no text to answer from.`);
      return;
    }
    answer = await admitted.run(() =>
      answerQuestion(app.ctx, app.services, asking, asked.question, {
        ...(digest ? { language: digest.digest.language } : {}),
      }),
    );
  } catch (err) {
    log.warn({ paper: id, user: event.userId, err: oneLine(err) }, 'question not answered');
    await event.replyPrivately(askErrorLine(id, err));
    return;
  }
  log.info(
    { paper: `${answer.paper.id}v${answer.paper.version}`, cached: answer.cached, calls: answer.usage.llmCalls },
    'question answered',
  );
  await deps.recordInterest(event, answer.paper.id, 'ask');
  // In the thread: Discord's command typed in the thread answers where it is (the interaction's own reply).
  const thread: ThreadRef | undefined =
    digest && !(event.threadId === undefined && digest.posted.thread.threadId === event.channelId)
      ? digest.posted.thread
      : undefined;
  await event.reply(
    {
      kind: 'answer',
      paper: answer.paper,
      question: answer.question,
      answer: answer.answer,
      source: answer.sourceLine,
      cached: answer.cached,
    },
    thread,
  );
  return answer.paper;
}

function askErrorLine(id: string, err: unknown): string {
  return llmCommandErrorLine(id, err, {
    failed: `Your question about ${id} could not be answered`,
    budgetSpent:
      "Today's LLM budget is spent, so no new answers until tomorrow; sorry. Questions asked before are still answered.",
  });
}

/** The question in the /ask usage example. */
const ASK_EXAMPLE = '#2 which datasets does it use?';
/** What the Ask… form's one field takes. */
export const QUESTION_MAX_CHARS = 500;

function askDeps(ix: Interaction): AskDeps {
  return {
    recordInterest: (at, paperId, kind) =>
      recordInterest(ix.app, { ...at, ...(ix.card ? { card: ix.card } : {}) }, paperId, kind),
    example: () => ix.example('ask', ASK_EXAMPLE),
  };
}

/** The member's question from a command, a mention or the Ask… form, as handleAsk reads it. */
function askEventOf(ix: Interaction, overrides: Partial<AskEvent> = {}): AskEvent {
  const event = ix.event as Partial<CommandEvent>;
  return {
    platform: ix.platform,
    argument: event.argument ?? '',
    ...(event.paper !== undefined ? { paper: event.paper } : {}),
    ...(ix.thread ? { threadId: ix.thread.threadId } : {}),
    ...(event.messageId ? { messageId: event.messageId } : {}),
    userId: ix.member.userId,
    channelId: ix.channelId,
    reply: ix.reply,
    replyPrivately: ix.replyPrivately,
    ...overrides,
  };
}

/** /ask and a mention of the bot, the Ask… button (a form with one field) and that form's submission. */
export function registerAsk(registry: InteractionRegistry): void {
  const askRegistration = {
    async handle(ix: Interaction) {
      const asked = askEventOf(ix);
      await noteAsked(ix, asked, await handleAsk(ix.app, asked, askDeps(ix)));
    },
  };
  registry.command('ask', askRegistration);
  registry.mention(askRegistration);

  registry.action('ask', {
    limits: [onCard],
    async handle(ix) {
      const card = ix.card;
      if (!card) return;
      if (!ix.openForm) {
        await ix.replyPrivately(
          `Ask it in the digest's thread: ${ix.example('ask', `${card.paperId} which datasets?`)}.`,
        );
        return;
      }
      await ix.openForm({
        form: 'ask',
        paper: { id: card.paperId, version: card.version },
        title: 'Ask the paper',
        label: `Your question about ${card.paperId}`,
        placeholder: 'Which datasets does it use?',
        maxLength: QUESTION_MAX_CHARS,
        submit: 'Ask',
      });
    },
  });

  registry.form('ask', {
    options: z.object({ text: z.string().trim().min(1).max(QUESTION_MAX_CHARS) }),
    usage: () => `Your question is empty or longer than ${QUESTION_MAX_CHARS} characters; please ask again.`,
    limits: [onCard, once('ask', (ix) => `${ix.card?.paperId}:${hashOf((ix.event as FormEvent).text)}`)],
    async handle(ix, { text }: { text: string }) {
      const card = ix.card;
      if (!card) return;
      const asked = askEventOf(ix, { argument: text, paper: card.paperId });
      await noteAsked(ix, asked, await handleAsk(ix.app, asked, askDeps(ix)));
    },
  });
}

/** The member's page lists the paper they asked about. */
async function noteAsked(ix: Interaction, asked: AskEvent, paper: PaperAnswer['paper'] | undefined): Promise<void> {
  if (!paper) return;
  await noteActivity(ix.app, asked, {
    paper: { id: paper.id, version: paper.version, title: paper.title },
    what: 'asked',
  });
}

function hashOf(text: string): string {
  return createHash('sha256').update(text.trim().toLowerCase()).digest('base64url').slice(0, 16);
}
