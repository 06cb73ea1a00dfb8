/**
 * The LLM's note on a new version: two sentences on what it changes, from the two abstracts, the comments and the
 * word diff. One call per (paper, version seen, new version, language), cached under exactly that (the inputs are
 * fetched only on a miss), so every channel and thread that saw the same version shares one answer and a re-run or
 * a restart pays nothing. The abstracts are material, never instructions (prompts/new-version.md).
 */
import { z } from 'zod';
import { languageName } from '../config/language';
import type { LlmClient } from '../llm/client';
import type { LlmUsage } from '../app/types';
import { aboutPaper } from '../pipeline/ids';
import { clean, delimited } from '../pipeline/review';
import { diffAsText } from './diff';
import type { DiffSegment } from '../chat/types';

/** How long the note may be: asked for in the schema's description and the prompt; chat shows it whole. */
export const NOTE_LIMIT = { sentences: 2, chars: 320 } as const;
const NOTE_MAX_TOKENS = 400;

export const versionNoteSchema = z.object({
  id: z.string(),
  changes: z
    .string()
    .min(1)
    .describe(
      `${NOTE_LIMIT.sentences} plain sentences, at most ${NOTE_LIMIT.chars} characters: what the new version changes`,
    ),
});

export interface NoteInput {
  paper: { id: string; title: string };
  from: { version: number; abstract: string; comments?: string };
  to: { version: number; abstract: string; comments?: string };
  diff: DiffSegment[];
  model: string;
  /** ISO 639-1 code of the note's language (part of the key). */
  language: string;
}

/** The request's identity: the cache key of the note. */
export function noteKey(input: Pick<NoteInput, 'paper' | 'from' | 'to' | 'language'>) {
  return { paper: input.paper.id, from: input.from.version, to: input.to.version, language: input.language };
}

/** The note as one plain paragraph (mentions disarmed, no Markdown structure), or undefined when it is empty. */
function render(changes: string): string | undefined {
  const text = clean(changes).replace(/\s+/g, ' ').trim();
  return text || undefined;
}

/** Asks (or finds in the cache) the note on what `to` changes over `from`. Throws the LLM client's typed errors. */
export async function versionNote(
  llm: LlmClient,
  input: NoteInput,
  meter: LlmUsage,
): Promise<{ note: string | undefined; cached: boolean }> {
  const { paper, from, to } = input;
  const answer = await llm.ask(
    {
      prompt: 'new-version',
      schemaName: 'new_version_note',
      schema: versionNoteSchema,
      model: input.model,
      key: noteKey(input),
      maxTokens: NOTE_MAX_TOKENS,
      input: async () => ({
        vars: {
          id: paper.id,
          title: paper.title.replace(/\s+/g, ' ').trim(),
          from: String(from.version),
          to: String(to.version),
          old_abstract: delimited(from.abstract.replace(/\s+/g, ' ').trim()),
          new_abstract: delimited(to.abstract.replace(/\s+/g, ' ').trim()),
          old_comments: from.comments?.replace(/\s+/g, ' ').trim() || '(none)',
          new_comments: to.comments?.replace(/\s+/g, ' ').trim() || '(none)',
          diff: diffAsText(input.diff) || '(the abstract is unchanged)',
          language: languageName(input.language),
        },
      }),
      check: aboutPaper(paper.id),
    },
    meter,
  );
  return { note: render(answer.value.changes), cached: answer.cached };
}
