import { createServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createActor, setup } from 'xstate';
import { loadConfig } from '../../src/config.js';
import { STATELY_INSPECTOR_URL, createInspector, type Inspector } from '../../src/runtime/inspector.js';

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

/** The inspector settings of an environment (the rest of the configuration is irrelevant here). */
const settings = (env: Record<string, string>) => loadConfig({ ERP_EXPORT_DIR: 'fixtures/exports', ...env });

/** An address of this machine that is not loopback, or null when it has none. */
function externalAddress(): string | null {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal);
  return found?.address ?? null;
}

/** Whether a TCP connection to `host:port` is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return fetch(`http://${host}:${port}/`).then(
    () => true,
    () => false,
  );
}

const probe = setup({}).createMachine({ id: 'probe', initial: 'idle', states: { idle: { on: { go: 'running' } }, running: {} } });

describe('createInspector', () => {
  it('is off unless INSPECT is set', async () => {
    expect(await createInspector(settings({}), silent)).toBeNull();
  });

  it('relays the live actor system to whoever watches the printed URL', async () => {
    const port = await freePort();
    const inspector = (await createInspector(settings({ INSPECT: '1', INSPECT_PORT: String(port) }), silent)) as Inspector;
    stops.push(() => inspector.stop());
    expect(inspector.url).toBe(`http://127.0.0.1:${port}`);

    const actor = createActor(probe, { inspect: inspector.inspect }).start();
    stops.push(() => actor.stop());
    actor.send({ type: 'go' });

    // The inspector page's side of the relay: it receives what the app's inspector sends.
    const watcher = new WebSocket(`ws://127.0.0.1:${port}`);
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

  it('listens on loopback only by default, and serves a page that frames the hosted Stately inspector', async () => {
    const port = await freePort();
    const inspector = (await createInspector(settings({ INSPECT: '1', INSPECT_PORT: String(port) }), silent)) as Inspector;
    stops.push(() => inspector.stop());
    const page = await fetch(inspector.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`src="${STATELY_INSPECTOR_URL}"`);
    const external = externalAddress();
    if (external !== null) expect(await accepts(external, port)).toBe(false);
  });

  it('listens where INSPECT_HOST and INSPECT_PORT say', async () => {
    const port = await freePort();
    const external = externalAddress();
    const inspector = (await createInspector(settings({ INSPECT: '1', INSPECT_HOST: '0.0.0.0', INSPECT_PORT: String(port) }), silent)) as Inspector;
    stops.push(() => inspector.stop());
    expect(await accepts('127.0.0.1', port)).toBe(true);
    if (external !== null) expect(await accepts(external, port)).toBe(true);
  });

  it('runs without the inspector, rather than crashing, when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    stops.push(() => taken.close());
    const { port } = taken.address() as AddressInfo;
    expect(await createInspector(settings({ INSPECT: '1', INSPECT_PORT: String(port) }), silent)).toBeNull();
  });
});
