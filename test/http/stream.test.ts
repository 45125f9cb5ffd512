import { describe, expect, it } from 'vitest';
import { AUTH, TOKEN, capturedLog } from './harness.js';
import { RefusedError, StreamClient, liveApp, within, type StreamMessage } from './stream-client.js';

const seqs = (messages: StreamMessage[]) => messages.map((m) => m.seq);
const progress = (done: number) => ({ type: 'sync.progress', target: 'orders@default', phase: 'applying', done, total: 100 });

/** How many events a client dropped by the server has been counted for, read from the app's metrics. */
async function dropped(app: Awaited<ReturnType<typeof liveApp>>['app'], reason: string): Promise<number> {
  const metric = await app.metrics.registry.getSingleMetric('sync_stream_clients_dropped_total')!.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('GET /api/sync/stream', () => {
  describe('contract', () => {
    it('sends the full status first, numbered with the last event it reflects', async () => {
      const { runtime, streamUrl } = await liveApp();
      runtime.emit(progress(1));
      runtime.emit(progress(2));
      const client = await StreamClient.connect(streamUrl());
      const first = await client.next();
      expect(first).toMatchObject({ seq: 2, type: 'status', at: runtime.status().now, epoch: expect.stringMatching(/^[0-9a-f]+$/) });
      expect(first.status).toEqual(runtime.status());
    });

    it('then streams every runtime event in order, seq increasing by one', async () => {
      const { runtime, streamUrl } = await liveApp();
      const client = await StreamClient.connect(streamUrl());
      const status = await client.next();
      const sent = [
        runtime.emit({ type: 'sync.queued', target: 'customers@default', trigger: 'manual', priority: 3, position: 1 }),
        ...Array.from({ length: 40 }, (_, i) => runtime.emit(progress(i + 1))),
        runtime.emit({ type: 'lease.acquired', leaseId: 'l-9', scope: '*', pausedTargets: [], waitedMs: 12, expiresAt: '2025-11-28T18:05:00.000Z' }),
      ];
      const events = await client.take(sent.length);
      expect(seqs(events)).toEqual(sent.map((_, i) => status.seq + 1 + i));
      expect(events.map(({ seq: _seq, ...event }) => event)).toEqual(sent);
    });

    it('gives two clients the same numbers for the same events', async () => {
      const { runtime, streamUrl } = await liveApp();
      const [a, b] = await Promise.all([StreamClient.connect(streamUrl()), StreamClient.connect(streamUrl())]);
      await Promise.all([a.next(), b.next()]);
      for (let i = 1; i <= 10; i++) runtime.emit(progress(i));
      expect(await a.take(10)).toEqual(await b.take(10));
    });

    it('announces orchestrator.state after the event that changed the root regions, and none while they stay', async () => {
      const { runtime, streamUrl } = await liveApp();
      const client = await StreamClient.connect(streamUrl());
      const { seq } = await client.next();
      runtime.regionStates = { dispatch: 'idle', clock: 'waiting', erp: 'closed' };
      runtime.emit({ type: 'sync.completed', target: 'orders@default', trigger: 'manual', stats: {} });
      const [completed, state] = await client.take(2);
      expect(completed).toMatchObject({ seq: seq + 1, type: 'sync.completed' });
      expect(state).toMatchObject({ seq: seq + 2, type: 'orchestrator.state', state: runtime.regionStates, at: completed!.at });

      runtime.emit(progress(1));
      runtime.regionStates = { dispatch: 'queued', clock: 'waiting', erp: 'closed' };
      runtime.emit({ type: 'sync.queued', target: 'customers@default', trigger: 'manual', priority: 3, position: 1 });
      expect((await client.take(3)).map((m) => [m.seq, m.type])).toEqual([
        [seq + 3, 'sync.progress'],
        [seq + 4, 'sync.queued'],
        [seq + 5, 'orchestrator.state'],
      ]);
    });
  });

  describe('reconnecting', () => {
    it('replays the events missed since the last seq, then continues live', async () => {
      const { runtime, streamUrl } = await liveApp();
      const first = await StreamClient.connect(streamUrl());
      const { epoch } = await first.next();
      for (let i = 1; i <= 3; i++) runtime.emit(progress(i));
      const seen = await first.take(3);
      await first.close();
      for (let i = 4; i <= 8; i++) runtime.emit(progress(i));

      const again = await StreamClient.connect(streamUrl({ since: seen.at(-1)!.seq, epoch: String(epoch) }));
      const replayed = await again.take(5);
      expect(replayed.map((m) => [m.type, m.done])).toEqual([4, 5, 6, 7, 8].map((done) => ['sync.progress', done]));
      expect(seqs(replayed)).toEqual([4, 5, 6, 7, 8]);
      runtime.emit(progress(9));
      expect(await again.next()).toMatchObject({ seq: 9, done: 9 });
    });

    it('sends nothing to replay when nothing was missed', async () => {
      const { runtime, streamUrl } = await liveApp();
      runtime.emit(progress(1));
      const client = await StreamClient.connect(streamUrl({ since: 1 }));
      runtime.emit(progress(2));
      expect(await client.next()).toMatchObject({ seq: 2, type: 'sync.progress' });
    });

    it('sends a fresh status when the missed events are no longer in the replay ring', async () => {
      const { runtime, streamUrl } = await liveApp({ stream: { replayCapacity: 4 } });
      for (let i = 1; i <= 10; i++) runtime.emit(progress(i));
      const client = await StreamClient.connect(streamUrl({ since: 5 }));
      expect(await client.next()).toMatchObject({ type: 'status', seq: 10 });
      const recent = await StreamClient.connect(streamUrl({ since: 6 }));
      expect(seqs(await recent.take(4))).toEqual([7, 8, 9, 10]);
    });

    it('sends a fresh status to a client that resumes from another epoch (a restarted server)', async () => {
      const { runtime, streamUrl } = await liveApp();
      for (let i = 1; i <= 3; i++) runtime.emit(progress(i));
      const client = await StreamClient.connect(streamUrl({ since: 1, epoch: 'feedbeef' }));
      expect(await client.next()).toMatchObject({ type: 'status', seq: 3 });
      const ahead = await StreamClient.connect(streamUrl({ since: 99 }));
      expect(await ahead.next()).toMatchObject({ type: 'status', seq: 3 });
    });
  });

  describe('authentication, before the upgrade', () => {
    it.each([
      ['no token', {}, null],
      ['a wrong ?token=', {}, 'not-the-token'],
      ['a wrong bearer header', { headers: { authorization: 'Bearer not-the-token' } }, null],
    ])('answers 401 to %s, and never opens a WebSocket', async (_name, options, token) => {
      const { streamUrl, runtime } = await liveApp();
      const error = await StreamClient.connect(streamUrl({}, token), options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RefusedError);
      expect((error as RefusedError).statusCode).toBe(401);
      expect((error as RefusedError).headers['www-authenticate']).toMatch(/^Bearer/);
      expect(runtime.callsOf('status')).toEqual([]);
    });

    it('accepts the token as a bearer header too', async () => {
      const { streamUrl } = await liveApp();
      const client = await StreamClient.connect(streamUrl({}, null), { headers: AUTH });
      expect((await client.next()).type).toBe('status');
    });

    it('accepts ?token= on the stream only', async () => {
      const { app } = await liveApp();
      expect((await app.inject({ url: `/api/sync/status?token=${TOKEN}` })).statusCode).toBe(401);
    });

    it('never writes the query token to the log', async () => {
      const log = capturedLog();
      const { streamUrl } = await liveApp({ logger: log.logger });
      const client = await StreamClient.connect(streamUrl());
      await client.next();
      await client.close();
      expect(log.text()).toContain('/api/sync/stream?token=[redacted]');
      expect(log.text()).not.toContain(TOKEN);
    });

    it('accepts the token only under its canonical name, and masks every spelling of it in the log', async () => {
      const log = capturedLog();
      const { streamUrl } = await liveApp({ logger: log.logger });
      const error = await StreamClient.connect(`${streamUrl({}, null)}?tok%65n=${TOKEN}`).catch((e: unknown) => e);
      expect((error as RefusedError).statusCode).toBe(401);
      await StreamClient.connect(`${streamUrl({}, null)}?TOKEN=${TOKEN}`).catch((e: unknown) => e);
      expect(log.text()).toContain('/api/sync/stream?tok%65n=[redacted]');
      expect(log.text()).toContain('/api/sync/stream?TOKEN=[redacted]');
      expect(log.text()).not.toContain(TOKEN);
    });

    it.each(['1.5', '0x10', '1e1'])('refuses since=%s before the upgrade instead of reading it as a number', async (since) => {
      const { streamUrl } = await liveApp();
      const error = await StreamClient.connect(streamUrl({ since })).catch((e: unknown) => e);
      expect((error as RefusedError).statusCode).toBe(400);
    });

    it('answers a plain GET without upgrade with 426', async () => {
      const { app } = await liveApp();
      const res = await app.inject({ url: '/api/sync/stream', headers: AUTH });
      expect(res.statusCode).toBe(426);
      expect(res.headers.upgrade).toBe('websocket');
    });

    it('refuses clients beyond maxClients with 503 before the upgrade', async () => {
      const { streamUrl } = await liveApp({ stream: { maxClients: 2 } });
      await StreamClient.connect(streamUrl());
      await StreamClient.connect(streamUrl());
      const error = await StreamClient.connect(streamUrl()).catch((e: unknown) => e);
      expect((error as RefusedError).statusCode).toBe(503);
    });
  });

  describe('keeping the server healthy', () => {
    it('terminates a client that stops answering pings, and keeps the ones that answer', async () => {
      const { app, streamUrl } = await liveApp({ stream: { heartbeatMs: 100 } });
      const healthy = await StreamClient.connect(streamUrl());
      const dead = await StreamClient.connect(streamUrl(), { autoPong: false });
      // Terminated without a closing handshake: the peer sees the connection drop (1006).
      expect(await within(dead.closed, 2_000, 'the dead client being dropped')).toBe(1006);
      expect(await dropped(app, 'heartbeat')).toBe(1);
      expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
    });

    it('drops a client that stops reading rather than buffering for it without bound', async () => {
      const { app, runtime, streamUrl } = await liveApp({ stream: { maxBufferedBytes: 64 * 1024 } });
      const reader = await StreamClient.connect(streamUrl());
      const stalled = await StreamClient.connect(streamUrl());
      await Promise.all([reader.next(), stalled.next()]);
      stalled.socket.pause();
      const padding = 'x'.repeat(16 * 1024);
      let sent = 0;
      // Bounded: loopback socket buffers hold a few MB at most; the stalled client must be dropped long before.
      while ((await dropped(app, 'slow')) === 0 && sent < 2_000) {
        runtime.emit({ ...progress(++sent), padding });
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await dropped(app, 'slow')).toBe(1);
      const received = await reader.take(sent, 20_000);
      expect(seqs(received)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
      stalled.socket.resume();
      expect(await within(stalled.closed, 5_000, 'the stalled client seeing its connection end')).toBe(1006);
    });

    it('closes a client that sends a message over maxPayload', async () => {
      const { streamUrl } = await liveApp({ stream: { maxPayloadBytes: 512 } });
      const client = await StreamClient.connect(streamUrl());
      client.socket.send('x'.repeat(2048));
      expect(await within(client.closed, 2_000, 'the oversized message closing the socket')).toBe(1009);
    });

    it('closes every client with 1001 when the app closes', async () => {
      const { app, runtime, streamUrl } = await liveApp();
      const client = await StreamClient.connect(streamUrl());
      await client.next();
      await app.close();
      expect(await within(client.closed, 2_000, 'the client being closed')).toBe(1001);
      expect(runtime.subscribers).toBe(0);
    });
  });
});
