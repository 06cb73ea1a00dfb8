/**
 * The one small interface every chat transport implements (after bolt-js's Receiver: init/start/stop, and one
 * `processEvent` on the core that receives normalized events). The core knows no platform: it asks an adapter to
 * render a logical message into platform parts and to send them; exactly-once bookkeeping lives in the core
 * (src/jobs/post.ts), so adapters stay thin.
 */
import type { Digest, Paper, SelectedPaper } from '../app/types';

/**
 * A chat platform's id (`slack`, `discord`, …): an open string, the key of its channel entries in the config and
 * of its adapter. The core never branches on it; the composition root's list (src/cli/adapters.ts) says which exist.
 */
export type Platform = string;

export interface TallyLine {
  paper: Pick<Paper, 'id' | 'version' | 'title'>;
  votes: number;
  winner: boolean;
}

/**
 * A member who follows something on a digest paper (src/follows). The adapter mentions them, built from `userId`
 * alone (the id the platform gave with their /follow, kept in the store): the only mention the bot ever sends.
 */
export interface FollowMention {
  userId: string;
  /** The paper's authors they follow, as arXiv writes them. */
  authors: string[];
  /** Their followed topics the paper matches, as they typed them. */
  topics: string[];
}

/** A followed author's paper that did not make the digest, and the members who follow its author(s). */
export interface FollowedPaper {
  paper: Pick<Paper, 'id' | 'version' | 'title'>;
  /** The followed authors on it, as arXiv writes them. */
  authors: string[];
  /** Platform ids of the members who follow them (from the store). */
  followers: string[];
}

/** A logical message the core wants sent; each adapter renders it in its own format. */
export type OutgoingMessage =
  /**
   * The digest's top-level message: the day's opening in a few sentences, the TL;DR's themes with their papers
   * linked, the counts, how to vote and ask (src/chat/layout.ts). Rendered to one or more parts: the first is the
   * one message in the channel; any further part (what did not fit) is sent as the first message of its thread.
   */
  | { kind: 'digest'; digest: Digest; voteEmoji?: string }
  /**
   * One selected paper, in the digest's thread. Rendered to its card first (≤ 1,500 visible characters: title link,
   * authors, keywords, ids, the paper's TL;DR and the vote hint with `voteEmoji`), the one part whose reactions are
   * the paper's votes; then the long text (abstract, summary, critique) in as many parts as the platform needs.
   * `because`: the paper fills the exploration slot, picked for resembling these voted-for papers (the card says
   * "because you voted for …"). `followers`: members following one of its authors or a topic it matches; the card
   * says so and mentions them (and nobody else).
   */
  | {
      kind: 'paper';
      digest: Digest;
      paper: SelectedPaper;
      index: number;
      voteEmoji: string;
      because?: Array<Pick<Paper, 'id' | 'title'>>;
      followers?: FollowMention[];
      /** The card's vote count, shown on its Vote button once someone voted (the card re-rendered on a click). */
      votes?: number;
    }
  /**
   * "Also from people you follow": the day's papers by followed authors that did not make the digest, title links,
   * which author, and a mention of each follower; one message in the digest's thread. `more`: papers left out of a
   * long list.
   */
  | { kind: 'followed'; papers: FollowedPaper[]; more?: number }
  /** The answer to /critique. */
  | { kind: 'critique'; paper: Paper; critique: string; cached: boolean; requestedBy?: string }
  /**
   * A paper's answer to a member's question (src/ask), in the paper's thread. `question` is the member's words and
   * `answer` the model's Markdown (outside text both: escaped, never pinging); `source` is the bot's own line saying
   * where the answer comes from (the cited section as the paper names it, or that it could not be verified). Nobody
   * is mentioned, not even the asker.
   */
  | {
      kind: 'answer';
      paper: Pick<Paper, 'id' | 'version' | 'title'>;
      question: string;
      answer: string;
      source: string;
      cached: boolean;
    }
  /** The vote's result, posted in the digest's thread. */
  | { kind: 'tally'; name: string; date: string; lines: TallyLine[]; totalVoters: number }
  /** A winner's deep-dive critique, posted in the digest's thread. */
  | { kind: 'deep-dive'; paper: Paper; text: string }
  /**
   * A new version of a paper the channel cared about, posted once per version as a reply in the paper's original
   * digest thread (src/jobs/versions.ts): "v3 is out (date)", its comments, what changed in the abstract (a word diff,
   * already shortened) and, with an LLM, a short note on the changes; or that the version withdraws the paper.
   */
  | { kind: 'new-version'; notice: NewVersionNotice }
  /** Plain text from the bot itself (never from a paper or an LLM). */
  | { kind: 'text'; text: string };

/** One piece of an abstract's word diff: kept, removed from the old version or added by the new, or a gap ("…"). */
export interface DiffSegment {
  change: 'same' | 'removed' | 'added' | 'gap';
  /** Outside text (the abstract's words): each adapter escapes it its own way. Empty for a gap. */
  text: string;
}

/** What the new-version reply says; every string from the paper or an LLM is outside text for the adapters. */
export interface NewVersionNotice {
  paper: Pick<Paper, 'id' | 'version' | 'title'>;
  /** The version the thread saw before (shown in the digest, voted for, or announced last). */
  previousVersion: number;
  /** The announcement day of the new version, YYYY-MM-DD. */
  date: string;
  /** The new version's comments, as arXiv has them. */
  comments?: string;
  /** Set when the new version withdraws the paper: arXiv's words. No diff and no note then. */
  withdrawn?: string;
  /** The abstract's word diff (at most a few hundred characters of context around the changes); absent or empty: unchanged. */
  diff?: DiffSegment[];
  /** Two sentences by the LLM on what the new version changes (absent without an LLM or when it failed). */
  note?: string;
}

/** What identifies a digest's top-level message in a channel. */
export interface DigestMarker {
  name: string;
  date: string;
  /** The nonce the top-level message was sent with. */
  nonce: string;
}

/** A digest found on the platform (ChatAdapter.findDigest). */
export interface FoundDigest {
  parent: PostedMessage;
  thread?: ThreadRef;
  /** The arXiv ids the top-level message (and its continuation in the thread) links, in order. */
  named: string[];
  /** The bot's messages in the thread, oldest first. */
  replies: Array<{
    message: PostedMessage;
    /** The nonce it was sent with, where the platform keeps it (Slack message metadata). */
    nonce?: string;
    /** For a paper's card: the paper's arXiv id (where the platform does not keep nonces). */
    cardOf?: string;
  }>;
}

/** A message the platform accepted. */
export interface PostedMessage {
  platform: Platform;
  channelId: string;
  /** Slack ts; Discord message id. */
  messageId: string;
  /** The thread the message was posted in: Slack thread_ts; Discord thread channel id. */
  threadId?: string;
}

/** Where replies to a message go: Slack the parent's ts in the channel; Discord a thread channel. */
export interface ThreadRef {
  platform: Platform;
  channelId: string;
  threadId: string;
}

/** A platform payload (Block Kit message, Discord message body) ready to send; opaque to the core. */
export type RenderedPart = Record<string, unknown>;

export interface CommandEvent {
  type: 'command';
  platform: Platform;
  /**
   * `digest`: `/digest me`, the member's own page, answered privately (a registry entry in src/interactions).
   * `follow`, `unfollow`, `follows`: a member's follows (src/follows), answered privately. `ask`: a question to a
   * paper: Slack `/ask …` or a message mentioning the bot (then `threadId` and `messageId` are set), Discord
   * `/ask question:… [paper:…]`.
   */
  command: 'critique' | 'vote' | 'follow' | 'unfollow' | 'follows' | 'ask' | 'digest';
  /**
   * What the member typed after the command: an arXiv id or URL; for follow and unfollow `author <name>` or
   * `topic <words>` (Discord's `author:`/`topic:` options written the same way by its adapter); for `ask` the
   * question (the bot's mention taken out).
   */
  argument: string;
  /** `ask` on Discord: the `paper` option (an arXiv id, or a paper's number in the digest), when given. */
  paper?: string;
  /** The thread the member typed in, where the platform says (Slack: the mention's `thread_ts`). */
  threadId?: string;
  /** The member's own message, where there is one (Slack: a mention's ts): a second delivery of it is ignored. */
  messageId?: string;
  userId: string;
  channelId: string;
  /** The member's workspace: Slack team id, Discord guild id (follows are kept per workspace). */
  workspaceId?: string;
  /** A visible answer in the channel (in `thread` when given): Slack chat.postMessage, Discord the follow-up. */
  reply(message: OutgoingMessage, thread?: ThreadRef): Promise<PostedMessage | undefined>;
  /** An answer only the member sees (Slack ephemeral, Discord ephemeral follow-up). */
  replyPrivately(text: string): Promise<void>;
}

export interface ReactionEvent {
  type: 'reaction';
  platform: Platform;
  added: boolean;
  /**
   * The emoji in the neutral form of src/votes/emoji.ts (`neutralEmoji`): unicode without skin tone or variation
   * selector for the known emoji (`👍` whether the platform said `+1`, `:+1::skin-tone-2:` or `👍🏽`), the bare name
   * for a custom one. Each adapter normalizes its own names.
   */
  emoji: string;
  userId: string;
  channelId: string;
  messageId: string;
}

/**
 * A card's paper as a button or menu names it: the id and version the card was rendered with, never text to trust.
 * The core checks it against its own record of the message before acting.
 */
export interface CardPaper {
  id: string;
  version: number;
}

/** A one-field form (Slack modal via views.open, Discord modal), opened by a click. */
export interface FormSpec {
  /** The registered form's name (`ask`), given back with its submission. */
  form: string;
  /** The paper it is about, carried back with the submission (Slack private_metadata, Discord custom_id). */
  paper: CardPaper;
  title: string;
  label: string;
  placeholder?: string;
  /** Characters the field takes (≤ 3,000 on Slack, ≤ 4,000 on Discord). */
  maxLength: number;
  submit: string;
}

/**
 * What a click and a form submission share: where the member acted, on which card, and the two ways to answer them.
 * Every such request the adapter verified (signature, timestamp).
 */
export interface CardInteraction {
  platform: Platform;
  /** The card's paper, from the button's value (Slack) or custom_id (Discord). */
  paper?: CardPaper;
  /** The click's own id (Slack action_ts/trigger_id, Discord interaction id): a redelivery is the same click. */
  interactionId: string;
  userId: string;
  channelId: string;
  /** The message the click was on (a card: where its votes are). Absent on Slack's App Home. */
  messageId?: string;
  /** The thread the message is in (Slack thread_ts; Discord: the thread is the channel). */
  threadId?: string;
  workspaceId?: string;
  reply(message: OutgoingMessage, thread?: ThreadRef): Promise<PostedMessage | undefined>;
  replyPrivately(text: string): Promise<void>;
}

/**
 * A member's click on one of the bot's messages: a button or a menu choice on a paper card (`vote`, `critique`,
 * `ask`, `not-for-us`, `why`, `follow-author`), or on their own page (`unfollow`). Every click came in a request the
 * adapter verified (signature, timestamp); what it carries is ids and indexes only.
 */
export interface ActionEvent extends CardInteraction {
  type: 'action';
  action: string;
  /** A menu's picked option (an author's index on the card, a follow to remove), never shown text. */
  value?: string;
  /** Opens a form for the member (Slack views.open with the click's trigger_id, Discord a type 9 modal). */
  openForm?(form: FormSpec): Promise<void>;
  /** Shows the card's new vote count on its Vote button (the message the click was on, edited in place). */
  showVoteCount?(count: number): Promise<void>;
  /** Re-renders the member's own page (Slack App Home) after a change on it. */
  refreshHome?(): Promise<void>;
}

/** A member submitted a form the bot opened (Slack view_submission, Discord modal submit). */
export interface FormEvent extends CardInteraction {
  type: 'form';
  form: string;
  /** The one field's text (outside text: escaped wherever it is shown). */
  text: string;
}

/** What a member's own page shows (Slack App Home, Discord `/digest me`): see src/interactions/home.ts. */
export interface MemberPage {
  follows: Array<{ kind: 'author' | 'topic'; value: string }>;
  /** Papers they voted for or asked about lately, newest first. */
  recent: Array<{ paper: Pick<Paper, 'id' | 'version' | 'title'>; what: 'voted' | 'asked' | 'critique'; date: string }>;
  /** What the team's votes taught the digest: its strongest terms, each with an example paper. */
  learned: Array<{ digest: string; themes: Array<{ term: string; example?: Pick<Paper, 'id' | 'title'> }> }>;
  /** The member's setting: a Critique click answers them alone. */
  critiquesPrivate: boolean;
}

/** A member opened their own page (Slack `app_home_opened` on the Home tab). */
export interface HomeEvent {
  type: 'home';
  platform: Platform;
  userId: string;
  workspaceId?: string;
  /** Shows the page (Slack views.publish). */
  publish(page: MemberPage): Promise<void>;
}

export type ChatEvent = CommandEvent | ReactionEvent | ActionEvent | FormEvent | HomeEvent;

/** The core's side: adapters hand every normalized event to this one function. */
export interface ChatEventHandler {
  processEvent(event: ChatEvent): Promise<void>;
}

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface RawResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** The shared HTTP server of `start` (PORT): adapters mount their routes on it. */
export interface HttpRoutes {
  route(method: 'GET' | 'POST', path: string, handler: (req: RawRequest) => Promise<RawResponse>): void;
}

export interface ChatAdapter {
  readonly platform: Platform;
  /**
   * The longest nonce the platform keeps with a message (Discord enforces 25 characters). The core's nonces are cut
   * to it; once chosen it stays, or the nonces of messages sent before would no longer match.
   */
  readonly nonceLength: number;
  /** Takes the core's event handler. */
  init(handler: ChatEventHandler): Promise<void>;
  /** Opens live connections (Socket Mode, gateway) and/or mounts HTTP routes. One-shot commands never call it. */
  start(http?: HttpRoutes): Promise<void>;
  /** Closes connections; a post in flight finishes first. */
  stop(): Promise<void>;
  /** Whether the platform's API answers with these credentials (for /healthz). */
  healthy(): Promise<boolean>;
  /** Renders one logical message into one or more platform messages, each within the platform's limits. */
  render(message: OutgoingMessage): RenderedPart[];
  /** Sends one rendered part to the channel, in `thread` when given; rate limits are waited out. */
  send(channelId: string, part: RenderedPart, thread?: ThreadRef, options?: { nonce?: string }): Promise<PostedMessage>;
  /** Where replies to `parent` go: Slack its ts; Discord a thread started on it. */
  openThread(parent: PostedMessage, name: string): Promise<ThreadRef>;
  /**
   * Ids of the members who reacted with any of `emoji` (neutral forms, see ReactionEvent.emoji) on the message,
   * each once, the bot excluded.
   */
  readReactions(message: PostedMessage, emoji: string[]): Promise<string[]>;
  /**
   * The message sent earlier with this nonce, if the platform has it: asked when a run resumes after a crash
   * between a send and its record. Optional: Discord dedupes by its enforced nonce instead.
   */
  findPosted?(channelId: string, nonce: string, thread?: ThreadRef): Promise<PostedMessage | undefined>;
  /**
   * A digest already posted in the channel, found on the platform when the store has no record of it (the store
   * was deleted or replaced): its top-level message (by the nonce of its first part, or the marker `name`/`date`
   * in its text) and the bot's messages in its thread, oldest first. Undefined when the channel has none.
   */
  findDigest?(channelId: string, marker: DigestMarker): Promise<FoundDigest | undefined>;
  /**
   * Whether a recorded thread exists on the platform, asked when a digest resumes (Discord: a thread recorded but
   * never started). Optional: where a thread is its parent message (Slack) it always does.
   */
  threadExists?(thread: ThreadRef): Promise<boolean>;
  /**
   * How a member types `command` with `argument` on this platform, for usage hints: `/vote 2510.26707` by default;
   * an adapter whose commands take named options says so (`/vote paper:2510.26707`).
   */
  commandExample?(command: CommandEvent['command'], argument: string): string;
  /**
   * The workspace a channel belongs to (Slack team, Discord guild), as CommandEvent.workspaceId names it: whose
   * members' follows apply to a digest posted there. Undefined when the platform cannot say.
   */
  workspaceOf?(channelId: string): Promise<string | undefined>;
  /**
   * Before anything is built (and any LLM token spent): whether the credentials work and the bot can post in the
   * channel. Throws an exit-1 ChatError naming the channel and the fix when the platform says no for good (unknown
   * channel, bot not invited, token refused); resolves when it can (or when the platform could not answer right
   * now: the post itself retries and names the failure then).
   */
  checkChannel?(channelId: string): Promise<void>;
}
