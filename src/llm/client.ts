/** STUB: the one LLM client (openai SDK, Chat Completions, json_schema answers). Implemented by the LLM workstream. */
import type { AppContext } from '../core/context';

export class LlmClient {}

/** Undefined without OPENAI_API_KEY: the digest is then built without an LLM. */
export function createLlm(ctx: AppContext): LlmClient | undefined {
  return ctx.env.OPENAI_API_KEY ? new LlmClient() : undefined;
}
