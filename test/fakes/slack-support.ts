/** Shared setup for the Slack adapter's tests: a context pointed at the fake Slack server and a realistic digest. */
import seeds from '../fixtures/seed-papers.json';
import { parseConfig } from '../../src/config/load';
import { DEFAULT_CONFIG_INPUT } from '../../src/config/schema';
import { type AppContext, createContext } from '../../src/context';
import { type Logger, silentLogger } from '../../src/app/log';
import { openStore, type Store } from '../../src/store';
import { type Digest, emptyUsage, type Paper, type SelectedPaper } from '../../src/app/types';
import type { FakeSlackServer } from './slack-server';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterOptions } from '../../adapters/slack/index';

/** Fast, bounded retries for tests (the 429 wait itself is Retry-After: 1 s). */
export const FAST_RETRY = { retries: 2, factor: 1, minTimeout: 0, maxTimeout: 10 };

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

export async function slackContext(
  fake: FakeSlackServer,
  env: Record<string, string> = {},
  log: Logger = silentLogger,
): Promise<{ ctx: AppContext; store: Store }> {
  const store = await openStore('memory://');
  const ctx = createContext({
    config: parseConfig(DEFAULT_CONFIG_INPUT, 'test'),
    store,
    log,
    env: { SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl, ...env },
  });
  return { ctx, store };
}

export function slackAdapter(ctx: AppContext, options: SlackAdapterOptions = {}): SlackAdapter {
  const adapter = createSlackAdapter(ctx, { retryConfig: FAST_RETRY, ...options });
  if (!adapter) throw new Error('SLACK_BOT_TOKEN missing in the test context');
  return adapter;
}

const SUMMARY = `**Key Contributions:**
This paper introduces a two-stage training framework that first elicits reasoning in math with RL and then
transfers it to other domains via joint RL. See [the project page](https://example.org/reasoning-curriculum).

### Method
1. **Stage 1:** a brief cold start, then math-only RL with verifiable rewards.
2. **Stage 2:** joint RL on mixed-domain data.

### Key Results
* Consistent gains on Qwen3-4B and Llama-3.1-8B over a multi-domain suite.
* Ablations show both stages are necessary.`;

const CRITIQUE = `### Strengths
1. **Simplicity:** a minimal, backbone-agnostic recipe.
2. **Analysis:** the cognitive-skill analysis is *insightful*.

### Weaknesses
- Limited to two backbones.

### Overall
A compact, easy-to-adopt recipe for general reasoning.`;

const seedDay = (seeds as unknown as Record<string, { digestSelected: Paper[] }>)['2025-10-30'];

export function seedPapers(): Paper[] {
  return (seedDay?.digestSelected ?? []).map((p) => ({ ...p }));
}

export function selected(paper: Paper, over: Partial<SelectedPaper> = {}): SelectedPaper {
  return {
    ...paper,
    score: 0.9,
    keywords: ['reinforcement learning', 'large language models', 'reasoning'],
    summary: SUMMARY,
    critique: CRITIQUE,
    ...over,
  };
}

export function seedDigest(over: Partial<Digest> = {}): Digest {
  return {
    name: 'nlp',
    date: '2025-10-30',
    categories: ['cs.CL'],
    totalPapers: 58,
    selected: seedPapers().map((p) => selected(p)),
    intro:
      "Today's research landscape reveals a compelling focus on enhancing the reasoning and collaboration capabilities of large language models (LLMs).",
    tldr: `**TL;DR: Recent papers focus on improving LLM reasoning and alignment.**

**Key Themes & Insights:**

1. **Reasoning Curriculum & Training Paradigms:**
   - *Reasoning Curriculum* (https://arxiv.org/abs/2510.26143) proposes math-first RL training`,
    usage: emptyUsage(),
    notices: [],
    ...over,
  };
}

/** A long Markdown text of about `chars` characters, with links and bold spans throughout. */
export function longMarkdown(chars: number, seed = 'Weakness'): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 1; n < chars; i++) {
    const p = `### ${seed} ${i}\n**Point ${i}:** the evaluation in [section ${i}](https://arxiv.org/abs/2510.26143v1#s${i}) uses only two backbones & a small suite; results may not transfer to larger models or other domains, which limits the claims made in the abstract.`;
    parts.push(p);
    n += p.length + 2;
  }
  return parts.join('\n\n');
}
