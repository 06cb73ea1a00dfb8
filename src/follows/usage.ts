/** The follow commands' names and usage line: light (no store, no scorer), for the adapters' immediate answers. */
import type { CommandEvent } from '../chat/types';

/** How a member's platform writes a command with its argument (`/follow author Yann LeCun` or `author:…`). */
export type Example = (command: CommandEvent['command'], argument: string) => string;

export type FollowCommand = Extract<CommandEvent['command'], 'follow' | 'unfollow' | 'follows'>;

export function isFollowCommand(command: CommandEvent['command']): command is FollowCommand {
  return command === 'follow' || command === 'unfollow' || command === 'follows';
}

export function followUsage(command: 'follow' | 'unfollow', example: Example): string {
  return `Usage: ${example(command, 'author Yann LeCun')} or ${example(command, 'topic diffusion models')} (an author's name, or a few words).`;
}
