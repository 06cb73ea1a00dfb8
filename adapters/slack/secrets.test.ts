/**
 * Secrets never reach a log line: a slash command's response_url is a credential (anyone holding it may post in the
 * channel for 30 minutes), so a failure to answer through it is logged without it.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Store } from '../../src/store';
import {
  FakeSlackServer,
  postSigned,
  slashCommandBody,
  startRoutesServer,
  type TestRoutesServer,
} from '../../test/fakes/slack-server';
import type { CommandEvent } from '../../src/chat/types';
import type { SlackAdapter } from './adapter';
import { SIGNING_SECRET, slackAdapter, slackContext } from '../../test/fakes/slack-support';

const PRIVATE = 'C0PRIVATE1';

let fake: FakeSlackServer;
let server: TestRoutesServer;
let store: Store;
let adapter: SlackAdapter;
const lines: string[] = [];
let handled: Promise<void>;
let done: () => void;

beforeAll(async () => {
  fake = await FakeSlackServer.start({ notInChannel: [PRIVATE] });
  server = await startRoutesServer();
  const made = await slackContext(fake, { SLACK_SIGNING_SECRET: SIGNING_SECRET });
  store = made.store;
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  adapter = slackAdapter({ ...made.ctx, log: pino({ level: 'info' }, sink) });
  await adapter.init({
    processEvent: async (event) => {
      try {
        // A malformed id: the usage goes privately; the bot is not in the channel, so through response_url.
        await (event as CommandEvent).replyPrivately('Usage: `/critique <arXiv id or URL>`');
      } finally {
        done();
      }
    },
  });
  await adapter.start(server);
});

afterAll(async () => {
  await adapter.stop();
  await server.close();
  await fake.close();
  await store.close();
});

it('logs a failed response_url answer without the response_url', async () => {
  handled = new Promise<void>((resolve) => {
    done = resolve;
  });
  fake.failNext('response_url', { status: 404 }, { times: 2 });
  const hook = fake.responseUrl('9');
  const res = await postSigned(
    `${server.url}/slack/events`,
    slashCommandBody({ command: '/critique', text: 'not-an-id', channel_id: PRIVATE, response_url: hook }),
    { signingSecret: SIGNING_SECRET },
  );
  expect(res.status).toBe(200);
  await handled;
  await adapter.stop(); // waits for the work in flight, including the logging of the failure
  expect(fake.callsTo('chat.postEphemeral')[0]?.error).toBe('not_in_channel');
  const log = lines.join('');
  expect(log).toContain('handling a Slack event failed');
  expect(log).not.toContain('hookToken9');
  expect(log).not.toContain(fake.botToken);
});
