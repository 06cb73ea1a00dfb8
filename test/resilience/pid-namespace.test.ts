/**
 * Two instances in separate PID namespaces with one hostname (containers with host networking: node is pid 1 in
 * each) never take each other's live locks. Needs root and `unshare` (CI runs as root); skipped with a notice
 * otherwise.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const RUN_TS = path.join(__dirname, '../../bin/run-ts.js');
const SIDE = path.join(__dirname, 'fixtures/lock-holder.ts');
const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;

function side(url: string, role: 'hold' | 'try'): { child: ChildProcess; line: Promise<string> } {
  const child = spawn('unshare', ['--pid', '--fork', process.execPath, RUN_TS, SIDE, url, role], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = new Promise<string>((resolve) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  return { child, line };
}

const stores: Array<[string, string | undefined]> = [
  ['sqlite', `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'pidns-')), 'db.sqlite')}`],
  ['redis', process.env.TEST_REDIS_URL],
];

for (const [kind, url] of stores) {
  const title = `${kind}: a lock held by pid 1 of one namespace is not taken by pid 1 of another`;
  if (!canUnshare || !url) {
    test.skip(`${title} (skipped: needs root and unshare${url ? '' : ', and the store'})`, () => {});
    continue;
  }
  test(title, async () => {
    const holder = side(url, 'hold');
    try {
      expect(await holder.line).toBe('held pid=1');
      const taker = side(url, 'try');
      expect(JSON.parse(await taker.line)).toEqual({ held: false, pid: 1 });
    } finally {
      holder.child.stdin?.end();
      holder.child.kill('SIGKILL');
    }
  }, 30_000);
}
