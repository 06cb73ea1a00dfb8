/** The assembled product: context, services and the chat adapters that are configured. */
import type { ChatPlatform } from '../chat/platform';
import type { ChatAdapter, Platform } from '../chat/types';
import type { AppContext } from '../app/context';
import type { Services } from '../pipeline/services';

export interface App {
  ctx: AppContext;
  services: Services;
  /** Adapters whose credentials are set; one-shot commands use their send/read methods only (no start()). */
  adapters: Partial<Record<Platform, ChatAdapter>>;
  /** Every platform this build knows (on or off), to say what turns one on. Default: none known. */
  platforms?: readonly ChatPlatform[];
}
