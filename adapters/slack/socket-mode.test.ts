/**
 * Socket Mode with SLACK_APP_TOKEN: the adapter opens apps.connections.open on the fake Web API, connects to the
 * WebSocket URL it returns (a local server speaking Slack's Socket Mode protocol: hello, envelopes, acks) and turns
 * envelopes into ChatEvents, acknowledging each envelope first.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Store } from '../../src/store';
import { blockActionsBody, FakeSlackServer } from '../../test/fakes/slack-server';
import type { ChatEvent, CommandEvent } from '../../src/chat/types';
import type { SlackAdapter } from './adapter';
import { slackAdapter, slackContext } from '../../test/fakes/slack-support';

let fake: FakeSlackServer;
let wss: WebSocketServer;
let socket: WebSocket | undefined;
let store: Store;
let adapter: SlackAdapter;
const events: ChatEvent[] = [];
const acks: Array<Record<string, unknown>> = [];

function waitFor(check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const tick = () => {
      if (check()) return resolve();
      if (++n > 400) return reject(new Error('timed out waiting'));
      setTimeout(tick, 5);
    };
    tick();
  });
}

beforeAll(async () => {
  fake = await FakeSlackServer.start();
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => acks.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-fake', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0ARXIVDG1' },
      }),
    );
  });
  fake.socketModeUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/link/?ticket=fake-ticket&app_id=A0ARXIVDG1`;
  const made = await slackContext(fake, { SLACK_APP_TOKEN: fake.appToken });
  store = made.store;
  adapter = slackAdapter(made.ctx);
  await adapter.init({
    processEvent: async (event) => {
      events.push(event);
      if (event.type === 'command') await (event as CommandEvent).reply({ kind: 'text', text: 'On it.' });
    },
  });
  await adapter.start();
  await waitFor(() => socket !== undefined);
});

afterAll(async () => {
  await adapter.stop();
  for (const client of wss.clients) client.terminate();
  await new Promise((r) => wss.close(() => r(undefined)));
  await fake.close();
  await store.close();
});

it('connects with the app-level token and no HTTP route', () => {
  const open = fake.callsTo('apps.connections.open');
  expect(open).toHaveLength(1);
  expect(open[0]?.token).toBe(fake.appToken);
});

it('acknowledges a slash command envelope and hands the command to the core', async () => {
  socket?.send(
    JSON.stringify({
      envelope_id: '1d2f3e4a-5b6c-4d7e-8f90-a1b2c3d4e5f6',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'x',
        team_id: 'T0ARXIV001',
        team_domain: 'arxiv-lab',
        channel_id: 'C0DIGEST01',
        channel_name: 'arxiv-digest',
        user_id: 'U0MEMBER01',
        user_name: 'ada',
        command: '/critique',
        text: '2510.26143',
        api_app_id: 'A0ARXIVDG1',
        is_enterprise_install: 'false',
        response_url: fake.responseUrl(),
        trigger_id: '1.2.3',
      },
    }),
  );
  await waitFor(() => fake.posted('C0DIGEST01').length === 1);
  expect(acks[0]).toMatchObject({ envelope_id: '1d2f3e4a-5b6c-4d7e-8f90-a1b2c3d4e5f6' });
  expect(events[0]).toMatchObject({
    type: 'command',
    command: 'critique',
    argument: '2510.26143',
    userId: 'U0MEMBER01',
  });
  expect(fake.posted('C0DIGEST01')[0]?.text).toBe('On it.');
});

it('acknowledges a reaction event and skips the bot’s own', async () => {
  const envelope = (id: string, user: string) =>
    JSON.stringify({
      envelope_id: id,
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
      payload: {
        team_id: 'T0ARXIV001',
        api_app_id: 'A0ARXIVDG1',
        type: 'event_callback',
        event_id: `Ev${id}`,
        event_time: 1761830500,
        event: {
          type: 'reaction_added',
          user,
          reaction: '+1',
          item_user: fake.botUserId,
          item: { type: 'message', channel: 'C0DIGEST01', ts: '1761830401.000101' },
          event_ts: '1761830500.000100',
        },
      },
    });
  socket?.send(envelope('env-bot', fake.botUserId));
  socket?.send(envelope('env-member', 'U0MEMBER02'));
  await waitFor(() => acks.some((a) => a.envelope_id === 'env-member') && events.length >= 2);
  expect(acks.some((a) => a.envelope_id === 'env-bot')).toBe(true);
  expect(events.slice(1)).toEqual([
    {
      type: 'reaction',
      platform: 'slack',
      added: true,
      emoji: '👍', // neutral: the adapter maps Slack's name
      userId: 'U0MEMBER02',
      channelId: 'C0DIGEST01',
      messageId: '1761830401.000101',
    },
  ]);
});

it('acknowledges an app_mention and hands it to the core as a question in its thread, answered there', async () => {
  const before = events.length;
  socket?.send(
    JSON.stringify({
      envelope_id: 'env-mention',
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
      payload: {
        team_id: 'T0ARXIV001',
        api_app_id: 'A0ARXIVDG1',
        type: 'event_callback',
        event_id: 'Ev0MENTION1',
        event_time: 1761830600,
        event: {
          type: 'app_mention',
          user: 'U0MEMBER02',
          text: `<@${fake.botUserId}> #2  which datasets does it use?`,
          ts: '1761830600.000200',
          thread_ts: '1761830401.000101',
          channel: 'C0DIGEST01',
          event_ts: '1761830600.000200',
        },
      },
    }),
  );
  await waitFor(() => acks.some((a) => a.envelope_id === 'env-mention') && events.length > before);
  expect(events[before]).toMatchObject({
    type: 'command',
    platform: 'slack',
    command: 'ask',
    argument: '#2 which datasets does it use?',
    userId: 'U0MEMBER02',
    channelId: 'C0DIGEST01',
    threadId: '1761830401.000101',
    messageId: '1761830600.000200',
  });
  // The test handler's reply names no thread: it goes into the mention's thread all the same.
  await waitFor(() => fake.posted('C0DIGEST01').some((m) => m.thread_ts === '1761830401.000101'));
});

it('acknowledges an interactive envelope (a card button) and hands the click to the core', async () => {
  const before = events.length;
  const { body } = blockActionsBody({
    user: 'U0MEMBER01',
    channel: 'C0DIGEST01',
    message: { ts: '1761.000100', thread_ts: '1761.000001', text: 'card', blocks: [] },
    action_id: 'ad:vote',
    value: '2510.26143v1',
  });
  const payload = JSON.parse(decodeURIComponent(body.slice('payload='.length)));
  socket?.send(
    JSON.stringify({ envelope_id: 'env-click', type: 'interactive', accepts_response_payload: false, payload }),
  );
  await waitFor(() => acks.some((a) => a.envelope_id === 'env-click') && events.length > before);
  expect(events.at(-1)).toMatchObject({
    type: 'action',
    action: 'vote',
    paper: { id: '2510.26143', version: 1 },
    userId: 'U0MEMBER01',
    channelId: 'C0DIGEST01',
    messageId: '1761.000100',
    threadId: '1761.000001',
  });
});
