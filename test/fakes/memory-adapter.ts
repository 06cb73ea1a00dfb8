/**
 * An in-memory ChatAdapter for the core's tests: renders each logical message as one part, records everything
 * sent, opens Slack-style threads (the parent's id), and keeps reactions that tests add (the bot's own included,
 * and excluded on read-back, as the real adapters do). Several adapters can share one MemoryPlatform to stand for
 * two bot instances talking to the same workspace.
 */
import type {
  ActionEvent,
  CardPaper,
  FormEvent,
  FormSpec,
  MemberPage,
  ChatAdapter,
  ChatEventHandler,
  CommandEvent,
  HttpRoutes,
  OutgoingMessage,
  Platform,
  PostedMessage,
  ReactionEvent,
  RenderedPart,
  ThreadRef,
} from '../../src/chat/types';
import { neutralEmoji } from '../../src/votes/emoji';

/** Reactions are kept as members typed them (`+1`, `+1::skin-tone-2`, `👍`); events and read-back are neutral. */
const neutral = (emoji: string) => neutralEmoji(emoji.split('::')[0] ?? '');

export interface SentMessage {
  channelId: string;
  messageId: string;
  threadId?: string;
  message: OutgoingMessage;
  /** The core's nonce of the part, when it gave one. */
  nonce?: string;
}

/** The platform's side: messages and reactions, shared by every adapter (bot instance) connected to it. */
export class MemoryPlatform {
  readonly sent: SentMessage[] = [];
  /** messageId → reactions. */
  readonly reactions = new Map<string, Array<{ userId: string; emoji: string }>>();
  private nextId = 1;
  newId(): string {
    return `m${String(this.nextId++).padStart(4, '0')}`;
  }
}

export class MemoryAdapter implements ChatAdapter {
  readonly nonceLength = 25;
  handler: ChatEventHandler | undefined;
  started = false;
  up = true;
  routes: HttpRoutes | undefined;
  /** When set, send() throws after this many sends (a crash mid-digest). */
  failAfter: number | undefined;
  /** When true, readReactions fails (the platform is down). */
  reactionsDown = false;
  /** When set, the next send stores its message and then fails: the platform accepted it, the answer was lost. */
  loseNextAnswer = false;

  constructor(
    readonly platform: Platform = 'slack',
    readonly world: MemoryPlatform = new MemoryPlatform(),
    readonly botUserId = 'UBOT',
    /** How its commands are written, when not `/vote 2510.26707` (e.g. Discord's `paper:` option). */
    example?: (command: CommandEvent['command'], argument: string) => string,
  ) {
    if (example) this.commandExample = example;
  }

  commandExample?: (command: CommandEvent['command'], argument: string) => string;

  /** The workspace every channel of this platform is in (workspaceOf), when a test sets one. */
  workspace: string | undefined;

  async workspaceOf(): Promise<string | undefined> {
    return this.workspace;
  }

  get sent(): SentMessage[] {
    return this.world.sent;
  }

  /** What was sent, by kind. */
  ofKind<K extends OutgoingMessage['kind']>(
    kind: K,
  ): Array<SentMessage & { message: Extract<OutgoingMessage, { kind: K }> }> {
    return this.world.sent.filter((s) => s.message.kind === kind) as Array<
      SentMessage & { message: Extract<OutgoingMessage, { kind: K }> }
    >;
  }

  /** Set by stop(): the connection is closed, and a send after it fails (as a real client's would). */
  stopped = false;

  async init(handler: ChatEventHandler): Promise<void> {
    this.handler = handler;
  }
  async start(http?: HttpRoutes): Promise<void> {
    this.started = true;
    this.stopped = false;
    this.routes = http;
  }
  async stop(): Promise<void> {
    this.started = false;
    this.stopped = true;
  }
  async healthy(): Promise<boolean> {
    return this.up;
  }
  render(message: OutgoingMessage): RenderedPart[] {
    return [{ message }];
  }
  async send(
    channelId: string,
    part: RenderedPart,
    thread?: ThreadRef,
    options?: { nonce?: string },
  ): Promise<PostedMessage> {
    if (this.stopped) throw new Error(`${this.platform} adapter is stopped: send after stop()`);
    if (this.failAfter !== undefined && this.failAfter-- <= 0) throw new Error('chat platform unreachable');
    // Like an enforced nonce: a part sent again with its nonce is the message already made.
    const earlier = options?.nonce ? this.findSent(channelId, options.nonce, thread) : undefined;
    if (earlier) return earlier;
    const messageId = this.world.newId();
    const posted: PostedMessage = { platform: this.platform, channelId, messageId };
    if (thread) posted.threadId = thread.threadId;
    this.world.sent.push({
      channelId,
      messageId,
      ...(thread ? { threadId: thread.threadId } : {}),
      message: part.message as OutgoingMessage,
      ...(options?.nonce ? { nonce: options.nonce } : {}),
    });
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new Error('no answer from the chat platform (the message was stored)');
    }
    return posted;
  }

  async findPosted(channelId: string, nonce: string, thread?: ThreadRef): Promise<PostedMessage | undefined> {
    return this.findSent(channelId, nonce, thread);
  }

  private findSent(channelId: string, nonce: string, thread?: ThreadRef): PostedMessage | undefined {
    const m = this.world.sent.find(
      (s) => s.channelId === channelId && s.nonce === nonce && s.threadId === thread?.threadId,
    );
    if (!m) return undefined;
    return {
      platform: this.platform,
      channelId,
      messageId: m.messageId,
      ...(m.threadId ? { threadId: m.threadId } : {}),
    };
  }
  async openThread(parent: PostedMessage): Promise<ThreadRef> {
    return { platform: this.platform, channelId: parent.channelId, threadId: parent.messageId };
  }
  async readReactions(message: PostedMessage, emoji: string[]): Promise<string[]> {
    if (this.reactionsDown) throw new Error('reactions.get failed: HTTP 503');
    const users = (this.world.reactions.get(message.messageId) ?? [])
      .filter((r) => emoji.map(neutral).includes(neutral(r.emoji)) && r.userId !== this.botUserId)
      .map((r) => r.userId);
    return [...new Set(users)];
  }

  /** What members were told privately, forms opened, counts shown on cards, pages published: in order. */
  readonly privately: Array<{ userId: string; text: string }> = [];
  readonly forms: Array<{ userId: string; form: FormSpec }> = [];
  readonly voteCounts: Array<{ messageId: string; count: number }> = [];
  readonly pages: Array<{ userId: string; page: MemberPage }> = [];
  private clicks = 0;

  private replies(userId: string, where: { channelId: string; threadId?: string }) {
    return {
      reply: async (message: OutgoingMessage, thread?: ThreadRef) => {
        const target =
          thread ??
          (where.threadId
            ? { platform: this.platform, channelId: where.channelId, threadId: where.threadId }
            : undefined);
        let first: PostedMessage | undefined;
        for (const part of this.render(message)) first ??= await this.send(where.channelId, part, target);
        return first;
      },
      replyPrivately: async (text: string) => {
        this.privately.push({ userId, text });
      },
    };
  }

  /** The card's paper as its buttons carry it (id and version), from what was sent. */
  static paperOf(card: SentMessage): CardPaper {
    if (card.message.kind !== 'paper') throw new Error('not a card');
    return { id: card.message.paper.id, version: card.message.paper.version };
  }

  /** A member clicks a card's button (or picks from its menu: `value`); `interactionId` repeats a delivery. */
  async click(
    card: SentMessage,
    userId: string,
    action: string,
    opts: { value?: string; paper?: CardPaper; interactionId?: string } = {},
  ): Promise<void> {
    const event: ActionEvent = {
      type: 'action',
      platform: this.platform,
      action,
      paper: opts.paper ?? MemoryAdapter.paperOf(card),
      ...(opts.value !== undefined ? { value: opts.value } : {}),
      interactionId: opts.interactionId ?? `click-${++this.clicks}`,
      userId,
      channelId: card.channelId,
      messageId: card.messageId,
      ...(card.threadId ? { threadId: card.threadId } : {}),
      ...(this.workspace ? { workspaceId: this.workspace } : {}),
      ...this.replies(userId, card),
      openForm: async (form) => {
        this.forms.push({ userId, form });
      },
      showVoteCount: async (count) => {
        this.voteCounts.push({ messageId: card.messageId, count });
      },
      refreshHome: () => this.openHome(userId),
    };
    await this.handler?.processEvent(event);
  }

  /** A member submits the form a click opened, from that card. */
  async submit(card: SentMessage, userId: string, form: string, text: string): Promise<void> {
    const event: FormEvent = {
      type: 'form',
      platform: this.platform,
      form,
      paper: MemoryAdapter.paperOf(card),
      text,
      interactionId: `form-${++this.clicks}`,
      userId,
      channelId: card.channelId,
      messageId: card.messageId,
      ...(card.threadId ? { threadId: card.threadId } : {}),
      ...(this.workspace ? { workspaceId: this.workspace } : {}),
      ...this.replies(userId, card),
    };
    await this.handler?.processEvent(event);
  }

  /** A member opens their own page (Slack's App Home tab). */
  async openHome(userId: string): Promise<void> {
    await this.handler?.processEvent({
      type: 'home',
      platform: this.platform,
      userId,
      ...(this.workspace ? { workspaceId: this.workspace } : {}),
      publish: async (page) => {
        this.pages.push({ userId, page });
      },
    });
  }

  /**
   * A member reacts (or un-reacts) on the platform. With `live` the event reaches the bot's handler too (the bot
   * was up); without, only the platform knows (the bot was down).
   */
  async react(
    message: Pick<PostedMessage, 'channelId' | 'messageId'>,
    userId: string,
    emoji: string,
    opts: { added?: boolean; live?: boolean } = {},
  ): Promise<void> {
    const added = opts.added ?? true;
    const list = this.world.reactions.get(message.messageId) ?? [];
    if (added) list.push({ userId, emoji });
    else {
      const i = list.findIndex((r) => r.userId === userId && r.emoji === emoji);
      if (i >= 0) list.splice(i, 1);
    }
    this.world.reactions.set(message.messageId, list);
    // The bot's own reactions reach no handler, as the real adapters drop them.
    if (opts.live !== false && this.handler && userId !== this.botUserId) {
      const event: ReactionEvent = {
        type: 'reaction',
        platform: this.platform,
        added,
        emoji: neutral(emoji),
        userId,
        channelId: message.channelId,
        messageId: message.messageId,
      };
      await this.handler.processEvent(event);
    }
  }
}
