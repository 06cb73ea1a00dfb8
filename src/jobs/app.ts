/** The assembled product: context, services and the chat adapters that are configured. */
import type { ChatAdapter, Platform } from '../chat/types';
import type { AppContext } from '../app/context';
import type { Services } from '../pipeline/services';

export interface App {
  ctx: AppContext;
  services: Services;
  /** Adapters whose credentials are set; one-shot commands use their send/read methods only (no start()). */
  adapters: Partial<Record<Platform, ChatAdapter>>;
}
