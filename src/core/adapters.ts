/** The chat adapters whose credentials are set in the environment. */
import type { ChatAdapter, Platform } from '../../adapters/types';
import type { AppContext } from './context';

export function createAdapters(_ctx: AppContext): Partial<Record<Platform, ChatAdapter>> {
  return {};
}
