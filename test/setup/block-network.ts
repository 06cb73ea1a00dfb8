/**
 * No test may reach the internet: every socket to a host other than loopback fails at once, so a forgotten base
 * URL shows up as a test failure instead of a call to arXiv, OpenAI, Slack or Discord.
 */
import net from 'node:net';
import { secretEnvNames } from '../../src/app/log';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1', '']);

function hostOf(args: unknown[]): string | undefined {
  const first = args[0];
  if (Array.isArray(first)) return hostOf(first);
  if (first && typeof first === 'object') {
    const o = first as { host?: string; path?: string };
    if (o.path) return ''; // unix socket
    return o.host ?? 'localhost';
  }
  if (typeof first === 'number') return typeof args[1] === 'string' ? args[1] : 'localhost';
  if (typeof first === 'string') return ''; // unix socket path
  return undefined;
}

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function patched(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host !== undefined && !LOOPBACK.has(host) && !host.startsWith('127.')) {
    this.destroy(); // the refused socket must not stay open (it would keep jest from exiting)
    throw new Error(`network blocked in tests: connection to ${host} refused (point the base URL at a local server)`);
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

process.env.NODE_ENV = 'test';
for (const key of [...secretEnvNames(process.env), 'STORE_URL']) {
  delete process.env[key];
}
