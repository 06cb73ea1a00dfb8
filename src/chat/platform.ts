/**
 * A chat platform as the composition root knows it: one descriptor per adapter folder (`adapters/<id>/index.ts`
 * exports it), listed one line each in src/cli/adapters.ts. The core asks the descriptor, never the platform's name:
 * the config part (channel entries, own section), the environment that turns the platform on, and the adapter.
 */
import type { AppContext } from '../context';
import type { PlatformConfig } from '../config/schema';
import type { ChatAdapter, Platform } from './types';

export interface ChatPlatform {
  readonly id: Platform;
  /** Its part of the config: channel entries `- <id>: …` and its own top-level section, if any. */
  readonly config: PlatformConfig;
  /** What turns it on, named when a configured channel needs it and it is off: e.g. `set SLACK_BOT_TOKEN`. */
  readonly enable: string;
  /** Whether its environment turns it on, read without opening anything (checked before the store is opened). */
  isOn?(env: NodeJS.ProcessEnv): boolean;
  /**
   * Its settings checked for `command` before anything is opened, fetched or created (token combinations `start`
   * cannot receive events with, …): a UserInputError (exit 2) naming the variable and the fix.
   */
  checkSetup?(env: NodeJS.ProcessEnv, command: string): void;
  /** The adapter when its environment turns it on (undefined: off). Bad values stop here, with one line. */
  create(ctx: AppContext): ChatAdapter | undefined;
  /**
   * Registers its slash commands with the platform, for the platforms that need it (`arxiv-digest
   * register-commands`); resolves to the line that says what was registered where.
   */
  registerCommands?(ctx: AppContext): Promise<string>;
}

/** The adapters of the platforms whose environment turns them on. */
export function createAdapters(
  ctx: AppContext,
  platforms: readonly ChatPlatform[],
): Partial<Record<Platform, ChatAdapter>> {
  const adapters: Partial<Record<Platform, ChatAdapter>> = {};
  for (const platform of platforms) {
    const adapter = platform.create(ctx);
    if (adapter) adapters[platform.id] = adapter;
  }
  return adapters;
}

/** A base URL from an environment variable (its one-line error naming the variable): see src/config/settings.ts. */
export { envUrl } from '../config/settings';
