'use strict';
/**
 * Global teardown: names what would keep jest from exiting (a server, socket, timer or child a test left open), in
 * a few plain lines, so a leak is found from any CI log. jest.config.js sets `forceExit` so such a leak never
 * hangs CI; this teardown is what keeps that from hiding it.
 */
module.exports = async function openHandles() {
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let closing sockets and timers settle
  const handles = process._getActiveHandles().filter((h) => {
    if (h === process.stdin || h === process.stdout || h === process.stderr) return false;
    if (h && typeof h.hasRef === 'function' && !h.hasRef()) return false; // unref'd: never holds the process
    const name = h?.constructor?.name;
    if (name === 'WriteStream' || name === 'ReadStream') return false; // the terminal
    return true;
  });
  // Timers are not handles in Node 20: counted by type here (an interval a test left running shows as Timeout).
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  if (handles.length === 0 && timers === 0) return;
  const describe = (h) => {
    const name = h?.constructor?.name ?? typeof h;
    if (name === 'Socket' || name === 'TLSSocket')
      return `${name} ${h.servername ? `(${h.servername}) ` : ''}${h.localAddress ?? ''}:${h.localPort ?? ''} -> ${h.remoteAddress ?? ''}:${h.remotePort ?? ''}`;
    if (name === 'Server') return `Server listening on ${JSON.stringify(h.address?.())}`;
    if (name === 'ChildProcess') return `ChildProcess pid ${h.pid} (${(h.spawnargs ?? []).slice(0, 4).join(' ')})`;
    if (name === 'Timeout')
      return `Timeout ${h._idleTimeout} ms${h._repeat ? ' (interval)' : ''}: ${String(h._onTimeout).replace(/\s+/g, ' ').slice(0, 160)}`;
    return name;
  };
  process.stderr.write(
    `\nopen handles after the tests (${handles.length} handles, ${timers} timers); forceExit ends the run anyway:\n`,
  );
  for (const h of handles.slice(0, 20)) process.stderr.write(`  - ${describe(h)}\n`);
  if (timers > 0) process.stderr.write(`  - ${timers} timer(s) still set\n`);
};
