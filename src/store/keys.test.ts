/**
 * The stored formats, pinned: these are the keys the previous releases wrote (each literal below was built by the
 * code that used to live in the module named), so data stored before an upgrade is still found after it.
 */
import { defaultTtlMs, openStore } from './index';
import { keys, locks, parts } from './keys';

describe('store keys keep their formats across upgrades', () => {
  it('papers, days, digests, ranking (src/arxiv, src/pipeline)', () => {
    expect(keys.paper('2510.26707')).toBe('2510.26707');
    expect(keys.paper('hep-th/9901001')).toBe('hep-th/9901001');
    expect(keys.paperChecked('2510.26707')).toBe('checked:2510.26707');
    expect(keys.fullText('2510.26707', 2)).toBe('fulltext:v2:2510.26707v2');
    expect(keys.day(['cs.CL', 'cs.AI'], '2025-10-30')).toBe('cs.AI+cs.CL:2025-10-30');
    expect(keys.day(['cs.AI', 'cs.CL'], '2025-10-30')).toBe('cs.AI+cs.CL:2025-10-30');
    expect(keys.digest('nlp', '2025-10-30')).toBe('nlp:2025-10-30');
    expect(keys.ranking('nlp', '2025-10-30')).toBe('nlp:2025-10-30');
    expect(keys.digestBuild('nlp', '2025-10-30')).toBe('digest-build:nlp:2025-10-30');
  });

  it('posts and messages (src/jobs/post.ts)', () => {
    const posting = keys.posting('slack', 'C0123456789', 'nlp', '2025-10-30');
    expect(posting).toBe('nlp:2025-10-30:slack:C0123456789');
    expect(keys.postedPart(posting, parts.parent, 0)).toBe('nlp:2025-10-30:slack:C0123456789:parent#0');
    expect(keys.postedPart(posting, parts.paper('2510.26707'), 1)).toBe(
      'nlp:2025-10-30:slack:C0123456789:paper:2510.26707#1',
    );
    expect(keys.postedPart(posting, parts.tally, 0)).toBe('nlp:2025-10-30:slack:C0123456789:tally#0');
    expect(keys.postedPart(posting, parts.deepDive('2510.26707'), 0)).toBe(
      'nlp:2025-10-30:slack:C0123456789:deep-dive:2510.26707#0',
    );
    expect(keys.sending(keys.postedPart(posting, parts.parent, 0))).toBe(
      'nlp:2025-10-30:slack:C0123456789:parent#0:sending',
    );
    expect(keys.postThread(posting)).toBe('nlp:2025-10-30:slack:C0123456789:thread');
    expect(keys.latestPosted('discord', '123456789012345678', 'nlp')).toBe('latest:nlp:discord:123456789012345678');
    expect(keys.message('slack', 'C0123456789', '1761800000.000100')).toBe('slack:C0123456789:1761800000.000100');
  });

  it('vote signals and embeddings (src/votes, src/llm/embeddings.ts)', () => {
    expect(keys.voteSignals('nlp', '2025-10-30')).toBe('nlp:2025-10-30:signals');
    expect(keys.embedding('text-embedding-3-small', '2510.26707', 2)).toBe('text-embedding-3-small:2510.26707v2');
    expect(keys.embeddingText('m', 'abc')).toBe('m:text:abc');
  });

  it('new versions (src/versions, src/jobs/versions.ts)', () => {
    expect(keys.watchedPaper('2510.26707')).toBe('2510.26707');
    const posting = keys.posting('discord', '123456789012345678', 'nlp', '2025-10-30');
    expect(keys.postedPart(posting, parts.newVersion('2510.26707', 3), 0)).toBe(
      'nlp:2025-10-30:discord:123456789012345678:new-version:2510.26707v3#0',
    );
    expect(locks.watchRecord('2510.26707')).toBe('watch:2510.26707');
    expect(defaultTtlMs('versions', '2510.26707')).toBe(180 * 86_400_000);
  });

  it('votes, profiles, budget, rate limits, scheduler state, LLM answers', () => {
    expect(keys.votePaper('nlp', '2025-10-30', '2510.26707')).toBe('nlp:2025-10-30:paper:2510.26707');
    expect(keys.voteIndex('nlp', '2025-10-30')).toBe('nlp:2025-10-30:index');
    expect(keys.voteResult('nlp', '2025-10-30')).toBe('result:nlp:2025-10-30');
    expect(keys.voter('slack', 'U024BE7LH')).toBe('slack:U024BE7LH');
    expect(keys.profile('nlp')).toBe('digest:nlp');
    expect(keys.budget('2025-10-30')).toBe('2025-10-30');
    expect(keys.critiqueUses('discord', '42', 488_000)).toBe('critique:discord:42:488000');
    expect(keys.askUses('slack', 'U1', 488_000)).toBe('ask:slack:U1:488000');
    expect(keys.askTaken('slack', 'C1', '1761.0001')).toBe('ask-taken:slack:C1:1761.0001');
    expect(keys.actionTaken('slack', 'U1', 'critique', '2510.26707')).toBe('action:slack:U1:critique:2510.26707');
    expect(keys.memberActivity('discord', '42')).toBe('activity:discord:42');
    expect(keys.memberPrefs('slack', 'U1')).toBe('prefs:slack:U1');
    expect(keys.seenRequest('discord', '1300000000000000099')).toBe('seen:discord:1300000000000000099');
    expect(keys.schedule('nlp')).toBe('schedule:nlp');
    expect(keys.tallied('nlp', '2025-10-30')).toBe('tallied:nlp:2025-10-30');
    expect(keys.tallyFailure('nlp', '2025-10-30')).toBe('tally-failure:nlp:2025-10-30');
    expect(keys.llmAnswer('ab12')).toBe('ab12');
  });

  it('follows (src/follows)', () => {
    expect(keys.follows('slack', 'T0ARXIV001')).toBe('slack:T0ARXIV001');
    expect(keys.follows('discord', '1300000000000000001')).toBe('discord:1300000000000000001');
    expect(locks.followsRecord('slack', 'T1')).toBe('follows:slack:T1');
    expect(keys.postedPart('nlp:2025-10-30:slack:C1', parts.followed, 0)).toBe('nlp:2025-10-30:slack:C1:followed#0');
    expect(defaultTtlMs('follows', keys.follows('slack', 'T1'))).toBeUndefined();
  });

  it('lock names', () => {
    expect(locks.posting('nlp:2025-10-30:slack:C1')).toBe('post:nlp:2025-10-30:slack:C1');
    expect(locks.tally('nlp', '2025-10-30')).toBe('tally:nlp:2025-10-30');
    expect(locks.digestSlot('nlp')).toBe('digest:nlp');
    expect(locks.arxivApiSlot).toBe('arxiv-api-slot');
    expect(locks.mutex('budget:2025-10-30')).toBe('mutex:budget:2025-10-30');
    expect(locks.rateLimitRecord('slack', 'U1')).toBe('ratelimit:slack:U1');
    expect(locks.budgetRecord('2025-10-30')).toBe('budget:2025-10-30');
    expect(locks.votesRecord('nlp', '2025-10-30')).toBe('votes:nlp:2025-10-30');
  });

  it('the expiry rules still recognise their keys', () => {
    expect(defaultTtlMs('posts', keys.latestPosted('slack', 'C1', 'nlp'))).toBeUndefined();
    expect(defaultTtlMs('posts', keys.posting('slack', 'C1', 'nlp', '2025-10-30'))).toBeDefined();
    expect(defaultTtlMs('meta', keys.digestBuild('nlp', '2025-10-30'))).toBeDefined();
    expect(defaultTtlMs('meta', keys.schedule('nlp'))).toBeUndefined();
  });

  it('a record stored under an old literal key is read through the new builder', async () => {
    const store = await openStore('memory://');
    await store.set('votes', 'result:nlp:2025-10-30', { winners: ['2510.26707'] });
    await store.set('posts', 'latest:nlp:slack:C1', '2025-10-30');
    expect(await store.get('votes', keys.voteResult('nlp', '2025-10-30'))).toEqual({ winners: ['2510.26707'] });
    expect(await store.get('posts', keys.latestPosted('slack', 'C1', 'nlp'))).toBe('2025-10-30');
    await store.close();
  });
});
