import { createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createActor, setup } from 'xstate';
import { createInspector, type Inspector } from '../../src/runtime/inspector.js';

const silent = pino({ level: 'silent' });
const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const probe = setup({}).createMachine({ id: 'probe', initial: 'idle', states: { idle: { on: { go: 'running' } }, running: {} } });

describe('createInspector', () => {
  it('is off unless INSPECT is set', async () => {
    expect(await createInspector({ inspect: false }, silent)).toBeNull();
  });

  it('relays the live actor system to whoever watches the printed URL', async () => {
    const port = await freePort();
    const inspector = (await createInspector({ inspect: true }, silent, { port })) as Inspector;
    stops.push(() => inspector.stop());
    expect(inspector.url).toBe(`http://localhost:${port}`);

    const actor = createActor(probe, { inspect: inspector.inspect }).start();
    stops.push(() => actor.stop());
    actor.send({ type: 'go' });

    // The inspector page's side of the relay: it receives what the app's inspector sends.
    const watcher = new WebSocket(`ws://localhost:${port}`);
    stops.push(() => watcher.terminate());
    const seen: { type: string; snapshot?: { value?: unknown } }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no running snapshot relayed; saw ${seen.map((e) => e.type).join(', ')}`)), 10_000);
      watcher.on('message', (data) => {
        const event = JSON.parse(String(data)) as (typeof seen)[number];
        seen.push(event);
        if (event.type === '@xstate.snapshot' && event.snapshot?.value === 'running') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(seen.map((e) => e.type)).toContain('@xstate.actor');
  });

  it('runs without the inspector, rather than crashing, when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    stops.push(() => taken.close());
    const { port } = taken.address() as AddressInfo;
    expect(await createInspector({ inspect: true }, silent, { port })).toBeNull();
  });
});
