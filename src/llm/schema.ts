/**
 * Zod schemas as the JSON Schema of OpenAI's strict structured outputs (`response_format: json_schema`, strict):
 * every object closed (`additionalProperties: false`) with every property required, and only the keywords strict
 * mode accepts. The zod schema stays the source of truth: answers are validated with it on return, so constraints
 * dropped here (string lengths) are still enforced.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ArxivDigestError, ErrorCode } from '../app/errors';

type Json = Record<string, unknown>;

/** Keywords strict mode rejects or that carry no meaning for the model; everything else is kept. */
const DROPPED = new Set(['$schema', 'default', 'minLength', 'maxLength', 'examples', 'readOnly', 'writeOnly']);

function strictify(node: unknown, where: string): unknown {
  if (Array.isArray(node)) return node.map((n, i) => strictify(n, `${where}[${i}]`));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (DROPPED.has(key)) continue;
    if (key === 'properties' && value && typeof value === 'object') {
      const props: Json = {};
      for (const [name, sub] of Object.entries(value as Json)) props[name] = strictify(sub, `${where}.${name}`);
      out.properties = props;
      continue;
    }
    out[key] = strictify(value, where);
  }
  if (out.type === 'object') {
    const names = Object.keys((out.properties as Json | undefined) ?? {});
    const required = new Set((out.required as string[] | undefined) ?? []);
    const optional = names.filter((n) => !required.has(n));
    // Strict mode has no optional properties; our schemas say "empty" with "" or [] instead.
    if (optional.length) {
      throw new ArxivDigestError(
        ErrorCode.SchemaInvalid,
        `schema ${where || '(root)'}: optional properties ${optional.join(', ')}`,
      );
    }
    out.required = names;
    out.additionalProperties = false;
  }
  return out;
}

export interface StrictSchema {
  /** The JSON Schema sent to the model. */
  json: Json;
  /** Hash of `json`: part of every cache key, so a schema change is a new answer. */
  hash: string;
}

const memo = new WeakMap<z.ZodType, StrictSchema>();

export function strictJsonSchema(schema: z.ZodType): StrictSchema {
  const known = memo.get(schema);
  if (known) return known;
  const json = strictify(z.toJSONSchema(schema, { target: 'draft-2020-12' }), '') as Json;
  const result = { json, hash: createHash('sha256').update(JSON.stringify(json)).digest('hex').slice(0, 16) };
  memo.set(schema, result);
  return result;
}
