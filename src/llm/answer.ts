/**
 * The JSON object in a model's answer, as any OpenAI-compatible server returns it. Servers with a reasoning parser
 * (vLLM `--reasoning-parser`, llama.cpp `--reasoning-format deepseek`, Ollama with thinking on) put the model's
 * thinking in `message.reasoning_content` or `message.reasoning`, which is never read; servers without one leave it
 * in the content as `<think>…</think>` (DeepSeek-R1, Qwen3, QwQ), sometimes with the opening tag eaten by the chat
 * template. After the thinking, models add a preamble ("Here is the JSON:"), a ```json fence and closing chatter
 * ("Let me know if…"). All of that is taken off here, so such an answer is read in the call that produced it
 * instead of being refused as "not JSON" and asked for again.
 */

/** Thinking blocks, closed or left open at the end (a truncated answer). */
const THINK_TAGS = ['think', 'thinking', 'reasoning', 'thought'];

/** The content without its thinking: `<think>…</think>` blocks, or everything up to a lone closing tag. */
export function stripThinking(content: string): string {
  let out = content;
  for (const tag of THINK_TAGS) {
    const closed = new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`, 'gi');
    out = out.replace(closed, '');
    // The chat template opened the block in the prompt: the answer starts inside it and only closes it.
    const close = out.toLowerCase().lastIndexOf(`</${tag}>`);
    if (close >= 0) out = out.slice(close + tag.length + 3);
    // Still open: the model never left its thinking (the answer was cut); nothing after it is the answer.
    const open = out.toLowerCase().indexOf(`<${tag}>`);
    if (open >= 0) out = out.slice(0, open);
  }
  return out;
}

/**
 * The end of the JSON value that starts at `start` (an `{` or `[`), by bracket depth outside strings; -1 when it
 * never closes.
 */
function closingIndex(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * The JSON text of an answer: the content without thinking; the inside of a ```json fence if there is one that
 * parses; else the first balanced `{…}` that parses, whatever precedes or follows it. Undefined when there is none.
 */
export function extractJson(content: string): string | undefined {
  const text = stripThinking(content).trim();
  if (!text) return undefined;
  const candidates: string[] = [text];
  for (const m of text.matchAll(/```[a-zA-Z]*[ \t]*\n?([\s\S]*?)```/g)) candidates.push((m[1] ?? '').trim());
  for (const candidate of candidates) {
    if (parses(candidate)) return candidate;
  }
  // A bare object inside prose: each `{` in turn, the first balanced one that parses.
  // At most a few dozen tries: a hostile answer of nested braces must not cost quadratic time.
  let tries = 0;
  for (let start = text.indexOf('{'); start >= 0 && tries < 32; start = text.indexOf('{', start + 1), tries++) {
    const end = closingIndex(text, start);
    if (end < 0) break;
    const slice = text.slice(start, end + 1);
    if (parses(slice)) return slice;
  }
  return undefined;
}

function parses(text: string): boolean {
  if (!text.startsWith('{') && !text.startsWith('[')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The parsed JSON of an answer's content, or a one-line problem saying what was there instead. */
export function readJsonAnswer(content: string): { ok: true; json: unknown } | { ok: false; problem: string } {
  const json = extractJson(content);
  if (json !== undefined) return { ok: true, json: JSON.parse(json) };
  const visible = stripThinking(content).trim();
  if (!visible) return { ok: false, problem: 'only thinking, no answer after it' };
  return { ok: false, problem: `not JSON: ${visible.replace(/\s+/g, ' ').slice(0, 80)}` };
}
