import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Keyv from 'keyv';
import { openStore } from './index';
import { KeyvSqliteStore, loadNodeSqlite, openSqliteDriver, type SqliteDriver } from './sqlite';

const tmpFile = (name = 'db.sqlite') => path.join(mkdtempSync(path.join(tmpdir(), 'sqlite-')), name);

function nativeInstalled(): boolean {
  try {
    require.resolve('sqlite3');
    return true;
  } catch {
    return false;
  }
}

/** Each driver this runtime has: node:sqlite (Node 22.13+) and the optional native sqlite3 package. */
const drivers: Array<[SqliteDriver['name'], boolean]> = [
  ['node:sqlite', loadNodeSqlite() !== undefined],
  ['sqlite3', nativeInstalled()],
];
for (const [name, present] of drivers)
  if (!present) console.info(`sqlite.test: the ${name} driver is not available on ${process.version}: its tests skip`);

describe.each(drivers)('keyv over SQLite with %s', (driver, present) => {
  const maybe = present ? it : it.skip;
  const open = (file: string, namespace = 'arxiv-digest') => {
    const store = new KeyvSqliteStore(file, { driver });
    return { store, keyv: new Keyv({ store, namespace, throwOnErrors: true }) };
  };

  maybe('does what keyv asks of a store: get, set, has, delete, many at once, clear by namespace', async () => {
    const file = tmpFile();
    const { store, keyv } = open(file);
    const other = open(file, 'someone-else');
    expect(await store.driver()).toBe(driver);
    await keyv.set('papers:1', { id: '1', authors: ['A'] });
    await other.keyv.set('papers:1', 'theirs');
    expect(await keyv.get('papers:1')).toEqual({ id: '1', authors: ['A'] });
    expect(await keyv.has('papers:1')).toBe(true);
    expect(await keyv.has('papers:2')).toBe(false);
    await keyv.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 'two' },
    ]);
    expect(await keyv.getMany(['a', 'missing', 'b'])).toEqual([1, undefined, 'two']);
    expect(await keyv.delete('a')).toBe(true);
    expect(await keyv.delete('a')).toBe(false);
    expect(await keyv.deleteMany(['b', 'missing'])).toBe(true);
    await keyv.clear();
    expect(await keyv.get('papers:1')).toBeUndefined();
    expect(await other.keyv.get('papers:1')).toBe('theirs'); // another namespace's rows are left alone
    await store.disconnect();
    await other.store.disconnect();
  });

  maybe('expires values as keyv does: an expired value reads as absent and its row goes', async () => {
    const { store, keyv } = open(tmpFile());
    await keyv.set('short', 'v', 1);
    await keyv.set('long', 'v', 60_000);
    const later = Date.now() + 10;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => later);
    try {
      expect(await keyv.has('short')).toBe(false);
      expect(await keyv.get('short')).toBeUndefined();
      expect(await keyv.get('long')).toBe('v');
      expect(await store.query('SELECT key FROM keyv')).toEqual([
        expect.objectContaining({ key: 'arxiv-digest:long' }),
      ]);
    } finally {
      now.mockRestore();
      await store.disconnect();
    }
  });

  maybe('names SQLite faults as the native driver does (store/faults.ts reads the code)', async () => {
    const file = tmpFile();
    writeFileSync(file, 'not a database, just text '.repeat(100));
    const { store } = open(file);
    await expect(store.get('k')).rejects.toMatchObject({ code: 'SQLITE_NOTADB' });
    await store.disconnect();
  });
});

describe('the SQLite store file', () => {
  it('written by earlier versions (over @keyv/sqlite) is read as it is: papers, posts, expiries', async () => {
    const file = tmpFile();
    const db = await openSqliteDriver(file);
    const dump = readFileSync(path.join(__dirname, '../../test/fixtures/keyv-sqlite-4.sql'), 'utf8');
    for (const statement of dump.replace(/^--.*$/gm, '').split(/;\s*$/m)) if (statement.trim()) await db.all(statement);
    await db.close();
    const store = await openStore(`sqlite://${file}`);
    try {
      expect(await store.get('papers', '2510.26707')).toMatchObject({ title: 'Stored by @keyv/sqlite 4' });
      expect(await store.get('posts', 'nlp:2025-10-30:slack:C1:parent#0')).toEqual({ messageId: '1761800000.000100' });
      expect(await store.get('llm', 'expired')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

describe('node:sqlite on Node 22', () => {
  it('prints no ExperimentalWarning for SQLite, and other warnings still show', () => {
    const script = `require(${JSON.stringify(require.resolve('./sqlite'))}).loadNodeSqlite(); process.emitWarning('still here', 'ExperimentalWarning');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).not.toMatch(/SQLite is an experimental feature/);
    expect(child.stderr).toMatch(/still here/);
  });
});
