/** A member's settings from their own page (App Home, `/digest private|thread`): where their critiques go. */
import { z } from 'zod';
import type { Interaction } from './registry';
import { recordKind } from '../store/records';
import { keys } from '../store/keys';

export interface MemberPrefs {
  /** 'private': a Critique click or /critique answers the member alone; default: in the paper's thread. */
  critiques?: 'private' | 'thread';
}

/** A member's settings ('meta', keys.memberPrefs), declared once, kept a year. */
const PREFS = recordKind<MemberPrefs>('meta', z.looseObject({ critiques: z.enum(['private', 'thread']).optional() }), {
  ttlMs: 365 * 86_400_000,
});

export async function readPrefs(ix: Pick<Interaction, 'app' | 'platform' | 'member'>): Promise<MemberPrefs> {
  return (await PREFS.get(ix.app.ctx.store, keys.memberPrefs(ix.platform, ix.member.userId))) ?? {};
}

export async function prefersPrivate(ix: Pick<Interaction, 'app' | 'platform' | 'member'>): Promise<boolean> {
  return (await readPrefs(ix)).critiques === 'private';
}

export async function setCritiquesPrivate(
  ix: Pick<Interaction, 'app' | 'platform' | 'member'>,
  on: boolean,
): Promise<void> {
  const prefs = { ...(await readPrefs(ix)), critiques: on ? ('private' as const) : ('thread' as const) };
  await PREFS.set(ix.app.ctx.store, keys.memberPrefs(ix.platform, ix.member.userId), prefs);
}
