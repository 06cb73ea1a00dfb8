/**
 * The assembled product, what the composition root hands the jobs: the context, the services and the chat adapters
 * that are configured. (Not bolt's App, nor the basics in src/app/.)
 */
import type { ChatPlatform } from '../chat/platform';
import type { ChatAdapter, Platform } from '../chat/types';
import type { AppContext } from '../context';
import type { Services } from '../pipeline/services';

export interface Assembly {
  ctx: AppContext;
  services: Services;
  /** Adapters whose credentials are set; one-shot commands use their send/read methods only (no start()). */
  adapters: Partial<Record<Platform, ChatAdapter>>;
  /** Every platform this build knows (on or off), to say what turns one on. Default: none known. */
  platforms?: readonly ChatPlatform[];
}
