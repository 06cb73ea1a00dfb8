/** The assembled product: context, services and the chat adapters that are configured. */
import type { ChatAdapter, Platform } from '../../adapters/types';
import type { AppContext } from './context';
import type { Services } from './services';

export interface App {
  ctx: AppContext;
  services: Services;
  /** Adapters whose credentials are set; one-shot commands use their send/read methods only (no start()). */
  adapters: Partial<Record<Platform, ChatAdapter>>;
}
