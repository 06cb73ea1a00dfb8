/**
 * Typed records: a kind of record is declared once, beside the module that owns it, with its namespace, the zod
 * schema of its value and its TTL (default: the namespace's, `defaultTtlMs`), and is read and written only through
 * that declaration. A value read back is checked against the schema: a record this version cannot read (written by
 * another version, or damaged) is a StoreError naming the namespace, the key and what is wrong, never a value of
 * the wrong shape passed on as if it were right. Keys are still built in src/store/keys.ts.
 */
import type { z } from 'zod';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import type { Namespace, Store } from './index';

export interface RecordKind<T> {
  readonly ns: Namespace;
  get(store: Store, key: string): Promise<T | undefined>;
  /** Several records in one round trip (undefined where absent), in the order of `keys`. */
  getMany(store: Store, keys: string[]): Promise<Array<T | undefined>>;
  /** `ttlMs`: this write's own TTL, for a kind whose writers each choose one (the LLM cache: per task). */
  set(store: Store, key: string, value: T, ttlMs?: number): Promise<void>;
  /** Several records in one round trip, each with the kind's TTL. */
  setMany(store: Store, entries: Array<{ key: string; value: T }>): Promise<void>;
}

export function recordKind<T>(ns: Namespace, schema: z.ZodType<T>, options: { ttlMs?: number } = {}): RecordKind<T> {
  const check = (key: string, raw: unknown): T | undefined => {
    if (raw === undefined || raw === null) return undefined;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ArxivDigestError(
      ErrorCode.StoreError,
      `the store's ${ns} record ${key} is not one this version reads (${issue?.message ?? 'invalid'}${where})`,
    );
  };
  return {
    ns,
    get: async (store, key) => check(key, await store.get<unknown>(ns, key)),
    getMany: async (store, keys) => {
      const raw = await store.getMany<unknown>(ns, keys);
      return raw.map((value, i) => check(keys[i] ?? '', value));
    },
    set: (store, key, value, ttlMs) => store.set(ns, key, value, ttlMs ?? options.ttlMs),
    setMany: (store, entries) =>
      store.setMany(
        ns,
        entries.map((e) => ({ ...e, ttlMs: options.ttlMs })),
      ),
  };
}
