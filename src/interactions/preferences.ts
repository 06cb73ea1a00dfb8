/** A member's settings from their own page (App Home, `/digest private|thread`): where their critiques go. */
import type { Interaction } from './registry';
import { keys } from '../store/keys';

export interface MemberPrefs {
  /** 'private': a Critique click or /critique answers the member alone; default: in the paper's thread. */
  critiques?: 'private' | 'thread';
}

export async function readPrefs(ix: Pick<Interaction, 'app' | 'platform' | 'member'>): Promise<MemberPrefs> {
  return (await ix.app.ctx.store.get<MemberPrefs>('meta', keys.memberPrefs(ix.platform, ix.member.userId))) ?? {};
}

export async function prefersPrivate(ix: Pick<Interaction, 'app' | 'platform' | 'member'>): Promise<boolean> {
  return (await readPrefs(ix)).critiques === 'private';
}

export async function setCritiquesPrivate(
  ix: Pick<Interaction, 'app' | 'platform' | 'member'>,
  on: boolean,
): Promise<void> {
  const prefs = { ...(await readPrefs(ix)), critiques: on ? ('private' as const) : ('thread' as const) };
  await ix.app.ctx.store.set('meta', keys.memberPrefs(ix.platform, ix.member.userId), prefs, 365 * 86_400_000);
}
