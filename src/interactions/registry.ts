/**
 * One registry for every interaction (after bolt's `app.command`/`app.action`/`app.view` and probot's per-event
 * context): each slash command, button, menu choice, form submission, mention, reaction and member's page is
 * registered once, with its options checked by a zod schema, its limits as middleware, and a handler that receives
 * one per-event context (`Interaction`). Adapters translate their platform's payloads into a ChatEvent
 * (src/chat/types.ts) and know nothing of the commands; `dispatch` finds the registration and runs it.
 */
import type { z } from 'zod';
import type {
  CardPaper,
  ChatEvent,
  ChatEventHandler,
  CommandEvent,
  FormSpec,
  OutgoingMessage,
  Platform,
  PostedMessage,
  ThreadRef,
} from '../chat/types';
import type { Assembly } from '../jobs/assembly';
import { MESSAGES, type PaperMessageRef } from '../jobs/post';
import type { ChannelDigest } from '../jobs/current';
import type { Logger } from '../app/log';
import { oneLine } from '../app/errors';
import { commandExample } from '../commands/usage';
import { keys } from '../store/keys';

/** What a registration is reached by: `command:vote`, `action:vote`, `form:ask`, `mention`, `reaction`, `home`. */
export type EntryKey = `command:${string}` | `action:${string}` | `form:${string}` | 'mention' | 'reaction' | 'home';

/** The card a click or a reaction was on, as the store recorded it when the card was posted. */
export interface CardRef extends PaperMessageRef {
  message: Pick<PostedMessage, 'channelId' | 'messageId'>;
}

/** The one context every handler receives, whatever the platform and the kind of interaction. */
export interface Interaction<E extends ChatEvent = ChatEvent> {
  app: Assembly;
  event: E;
  platform: Platform;
  member: { userId: string; workspaceId?: string /** `platform:userId`, as ballots name a member. */; voter: string };
  channelId: string;
  /** The thread the member acted in, where the platform says. */
  thread?: ThreadRef;
  /** The card it is about (a button, a menu, a form opened from a card, a reaction), checked against the store. */
  card?: CardRef;
  /** The channel's current digest, set by the `digestHere` limit (src/interactions/limits.ts). */
  current?: ChannelDigest;
  /** A visible answer (in `thread` when given). Absent for a member's page. */
  reply(message: OutgoingMessage, thread?: ThreadRef): Promise<PostedMessage | undefined>;
  /** One line only the member sees. */
  replyPrivately(text: string): Promise<void>;
  /** Opens a one-field form (only where the interaction was a click). */
  openForm?(form: FormSpec): Promise<void>;
  /** How the member writes `command` on their platform (`/vote 2510.26707`, `/vote paper:2510.26707`). */
  example(command: CommandEvent['command'], argument?: string): string;
  log: Logger;
}

/** A limit in front of a handler: calls `next()` to let the interaction through, or answers the member and stops. */
export type Middleware = (ix: Interaction, next: () => Promise<void>) => Promise<void>;

export interface Registration<O> {
  /** What the handler receives, from the event's raw options (see `rawOptions`); a failure answers `usage`. */
  options?: z.ZodType<O>;
  /** The one line a member gets when the options do not parse. */
  usage?: (ix: Interaction) => string;
  limits?: Middleware[];
  handle(ix: Interaction, options: O): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds registrations of every option type.
type AnyRegistration = Registration<any>;

/** The options a registration's schema reads: what the member typed, or what they picked. */
export function rawOptions(event: ChatEvent): Record<string, unknown> {
  switch (event.type) {
    case 'command':
      return { argument: event.argument, ...(event.paper !== undefined ? { paper: event.paper } : {}) };
    case 'action':
      return { ...(event.value !== undefined ? { value: event.value } : {}) };
    case 'form':
      return { text: event.text };
    case 'reaction':
      return { emoji: event.emoji, added: event.added };
    default:
      return {};
  }
}

export function entryKeyOf(event: ChatEvent): EntryKey {
  switch (event.type) {
    case 'command':
      return event.command === 'ask' && event.messageId ? 'mention' : `command:${event.command}`;
    case 'action':
      return `action:${event.action}`;
    case 'form':
      return `form:${event.form}`;
    default:
      return event.type;
  }
}

/** The card a click, a form or a reaction is about: the store's record of the message, checked against the payload. */
async function cardOf(app: Assembly, event: ChatEvent): Promise<CardRef | undefined> {
  if (event.type !== 'action' && event.type !== 'form' && event.type !== 'reaction') return undefined;
  if (!event.messageId) return undefined;
  const channels = [event.channelId, ...('threadId' in event && event.threadId ? [event.threadId] : [])];
  for (const channelId of channels) {
    const ref = await MESSAGES.get(app.ctx.store, keys.message(event.platform, channelId, event.messageId));
    if (!ref) continue;
    const paper: CardPaper | undefined = event.type === 'reaction' ? undefined : event.paper;
    // A payload naming another paper than the message shows is not acted on (it was not our button).
    if (paper && (paper.id !== ref.paperId || paper.version !== ref.version)) return undefined;
    return { ...ref, message: { channelId, messageId: event.messageId } };
  }
  return undefined;
}

function threadOf(event: ChatEvent): ThreadRef | undefined {
  if (event.type === 'home' || event.type === 'reaction') return undefined;
  return event.threadId
    ? { platform: event.platform, channelId: event.channelId, threadId: event.threadId }
    : undefined;
}

async function contextOf(app: Assembly, event: ChatEvent, log: Logger): Promise<Interaction> {
  const workspaceId = 'workspaceId' in event ? event.workspaceId : undefined;
  const thread = threadOf(event);
  const card = await cardOf(app, event);
  const silent = async () => undefined;
  return {
    app,
    event,
    platform: event.platform,
    member: {
      userId: event.userId,
      ...(workspaceId ? { workspaceId } : {}),
      voter: keys.voter(event.platform, event.userId),
    },
    channelId: 'channelId' in event ? event.channelId : '',
    ...(thread ? { thread } : {}),
    ...(card ? { card } : {}),
    reply: 'reply' in event ? (m, t) => event.reply(m, t) : silent,
    replyPrivately: 'replyPrivately' in event ? (t) => event.replyPrivately(t) : silent,
    ...(event.type === 'action' && event.openForm
      ? { openForm: (f: FormSpec) => event.openForm?.(f) ?? silent() }
      : {}),
    example: (command, argument) => commandExample(app.adapters[event.platform], command, argument),
    log,
  };
}

/** Runs the limits in order, then the handler. */
async function runChain(ix: Interaction, limits: Middleware[], last: () => Promise<void>): Promise<void> {
  const step = async (i: number): Promise<void> => {
    const limit = limits[i];
    if (!limit) return last();
    await limit(ix, () => step(i + 1));
  };
  await step(0);
}

export class InteractionRegistry {
  private readonly entries = new Map<EntryKey, AnyRegistration>();

  private add<O>(key: EntryKey, registration: Registration<O>): this {
    if (this.entries.has(key)) throw new TypeError(`interaction ${key} is registered twice`);
    this.entries.set(key, registration);
    return this;
  }

  command<O>(name: CommandEvent['command'], registration: Registration<O>): this {
    return this.add(`command:${name}`, registration);
  }
  action<O>(name: string, registration: Registration<O>): this {
    return this.add(`action:${name}`, registration);
  }
  form<O>(name: string, registration: Registration<O>): this {
    return this.add(`form:${name}`, registration);
  }
  mention<O>(registration: Registration<O>): this {
    return this.add('mention', registration);
  }
  reaction<O>(registration: Registration<O>): this {
    return this.add('reaction', registration);
  }
  home<O>(registration: Registration<O>): this {
    return this.add('home', registration);
  }

  /** The registered keys (what the adapters may be asked to deliver). */
  keys(): EntryKey[] {
    return [...this.entries.keys()];
  }

  /** The core's ChatEventHandler: every adapter hands its normalized events here. */
  handler(app: Assembly): ChatEventHandler {
    const log = app.ctx.log.child({ component: 'chat' });
    return { processEvent: (event) => this.dispatch(app, event, log) };
  }

  async dispatch(app: Assembly, event: ChatEvent, log: Logger): Promise<void> {
    const key = entryKeyOf(event);
    const entry = this.entries.get(key) ?? (key === 'mention' ? this.entries.get('command:ask') : undefined);
    let ix: Interaction | undefined;
    try {
      if (!entry) {
        log.debug({ key, platform: event.platform }, 'interaction not registered: ignored');
        return;
      }
      ix = await contextOf(app, event, log);
      const context = ix;
      let options: unknown;
      if (entry.options) {
        const parsed = entry.options.safeParse(rawOptions(event));
        if (!parsed.success) {
          await context.replyPrivately(entry.usage?.(context) ?? 'That did not look right; please try again.');
          return;
        }
        options = parsed.data;
      }
      await runChain(context, entry.limits ?? [], () => entry.handle(context, options));
    } catch (err) {
      log.error({ type: event.type, key, platform: event.platform, err: oneLine(err) }, 'chat event failed');
      await ix?.replyPrivately('Sorry, something went wrong on our side; please try again later.').catch(() => {});
    }
  }
}
