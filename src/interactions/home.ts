/**
 * A member's own page: their follows (each with a remove button), the papers they voted for or asked about lately,
 * and what the team's votes have taught each digest (the terms its profile weighs most, with an example paper
 * each). Slack shows it on the Assembly Home tab (`app_home_opened` → views.publish); Discord's `/digest me` answers the
 * same privately, as text. The page also carries the member's one setting: critiques in the thread or privately.
 */
import { z } from 'zod';
import type { MemberPage } from '../chat/types';
import type { Assembly } from '../jobs/assembly';
import { channelsOf } from '../jobs/run';
import { memberFollows, unfollow } from '../follows/book';
import { TERMS_SPACE, loadProfile } from '../profile/profile';
import type { Interaction, InteractionRegistry } from './registry';
import { memberActivity } from './signals';
import { readPrefs, setCritiquesPrivate } from './preferences';

/** Terms per digest on the page, and recent papers. */
const THEMES = 5;
const RECENT = 8;

/** What the team's votes taught the digests posting on this platform: their top terms, an example paper each. */
async function learnedThemes(app: Assembly, platform: string): Promise<MemberPage['learned']> {
  const out: MemberPage['learned'] = [];
  for (const digest of app.ctx.config.digests) {
    if (!channelsOf(digest).some((c) => c.platform === platform)) continue;
    const profile = await loadProfile(app.ctx.store, digest.name);
    const space = profile?.spaces[TERMS_SPACE];
    if (!profile || !space || space.pos.weight <= 0) continue;
    const weight = (t: string) =>
      (space.pos.sum[t] ?? 0) / space.pos.weight -
      (space.neg.weight > 0 ? (0.25 * (space.neg.sum[t] ?? 0)) / space.neg.weight : 0);
    const top = Object.keys(space.pos.sum)
      .filter((t) => weight(t) > 0)
      .sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : 1))
      .slice(0, THEMES);
    const themes = top.map((term) => {
      const example = [...profile.examples].reverse().find((x) => x.terms.includes(term));
      return {
        term: term.replace(/_/g, ' '),
        ...(example ? { example: { id: example.id, title: example.title } } : {}),
      };
    });
    if (themes.length) out.push({ digest: digest.name, themes });
  }
  return out;
}

export async function memberPage(
  app: Assembly,
  member: { platform: string; userId: string; workspaceId?: string },
): Promise<MemberPage> {
  const mine = member.workspaceId
    ? await memberFollows(app.ctx.store, { platform: member.platform, workspace: member.workspaceId }, member.userId)
    : { authors: [], topics: [] };
  const recent = (await memberActivity(app, member)).slice(0, RECENT).map((a) => ({
    paper: a.paper,
    what: a.what,
    date: a.at.slice(0, 10),
  }));
  return {
    follows: [
      ...mine.authors.map((value) => ({ kind: 'author' as const, value })),
      ...mine.topics.map((value) => ({ kind: 'topic' as const, value })),
    ],
    recent,
    learned: await learnedThemes(app, member.platform),
    critiquesPrivate:
      (await readPrefs({ app, platform: member.platform, member: { ...member, voter: '' } })).critiques === 'private',
  };
}

/** The page as private text (Discord `/digest me`): the bot's lines, outside text quoted. */
export function pageText(page: MemberPage, example: Interaction['example']): string {
  const lines = ['**Your arXiv digest page**'];
  lines.push(
    page.follows.length
      ? `You follow: ${page.follows.map((f) => (f.kind === 'author' ? f.value : `“${f.value}”`)).join(', ')}. Stop with ${example('unfollow', 'author <name>')}.`
      : `You follow no author or topic yet; try ${example('follow', 'author <name>')}.`,
  );
  if (page.recent.length)
    lines.push(
      `Lately you ${page.recent.map((r) => `${r.what === 'voted' ? 'voted for' : r.what === 'asked' ? 'asked about' : 'asked for a critique of'} ${r.paper.id}`).join(', ')}.`,
    );
  else lines.push('You have not voted for or asked about a paper lately.');
  for (const d of page.learned)
    lines.push(
      `What the votes taught the ${d.digest} digest: ${d.themes.map((t) => `“${t.term}”${t.example ? ` (e.g. ${t.example.id})` : ''}`).join(', ')}.`,
    );
  if (!page.learned.length) lines.push('The team\u2019s votes have not taught the digest anything yet.');
  lines.push(
    page.critiquesPrivate
      ? `Your critiques come privately; ${example('digest', 'thread')} posts them in the paper\u2019s thread.`
      : `Your critiques go in the paper\u2019s thread; ${example('digest', 'private')} sends them to you alone.`,
  );
  return lines.join('\n');
}

export function registerHome(registry: InteractionRegistry): void {
  registry.home({
    async handle(ix) {
      if (ix.event.type !== 'home') return;
      await ix.event.publish(await memberPage(ix.app, { platform: ix.platform, ...ix.member }));
    },
  });

  registry.command('digest', {
    options: z.object({
      argument: z
        .string()
        .trim()
        .toLowerCase()
        .pipe(z.enum(['', 'me', 'private', 'thread'])),
    }),
    usage: (ix) =>
      `Usage: ${ix.example('digest', 'me')} (your page), or ${ix.example('digest', 'private')} / ${ix.example('digest', 'thread')} (where your critiques go).`,
    async handle(ix, { argument }: { argument: string }) {
      if (argument === 'private' || argument === 'thread') await setCritiquesPrivate(ix, argument === 'private');
      const page = await memberPage(ix.app, { platform: ix.platform, ...ix.member });
      await ix.replyPrivately(pageText(page, ix.example));
    },
  });

  registry.action('unfollow', {
    options: z.object({ value: z.string().regex(/^(author|topic):.{1,100}$/s) }),
    async handle(ix, { value }: { value: string }) {
      const [kind, ...rest] = value.split(':');
      if (!ix.member.workspaceId) return;
      const scope = { platform: ix.platform, workspace: ix.member.workspaceId };
      // Only one of the member's own follows is removed: the value is matched against their list.
      await unfollow(ix.app.ctx.store, scope, ix.member.userId, kind === 'topic' ? 'topic' : 'author', rest.join(':'));
      await refresh(ix);
    },
  });

  registry.action('critiques', {
    options: z.object({ value: z.enum(['private', 'thread']) }),
    async handle(ix, { value }: { value: 'private' | 'thread' }) {
      await setCritiquesPrivate(ix, value === 'private');
      await refresh(ix);
    },
  });
}

async function refresh(ix: Interaction): Promise<void> {
  if (ix.event.type === 'action' && ix.event.refreshHome) await ix.event.refreshHome();
}
