import { createServer } from 'node:net';
import type { Logger } from 'pino';
import type { InspectionEvent, Observer } from 'xstate';
import type { Config } from '../config.js';

/** Port of the local inspector relay (the default of `@statelyai/inspect/server`). */
export const DEFAULT_INSPECT_PORT = 8080;

/** A running Stately inspector hook-up. */
export interface Inspector {
  /** Pass to `createActor(machine, { inspect })`: every actor, event and snapshot of the system goes out. */
  inspect: Observer<InspectionEvent>;
  /** Open this page in a browser to watch the live actor system in the Stately inspector. */
  url: string;
  /** Disconnects and stops the relay (call on shutdown). */
  stop(): void;
}

/**
 * Development aid, off by default: with `INSPECT=1` (`npm run dev:inspect`), starts the local relay of
 * `@statelyai/inspect/server` and connects a WebSocket inspector to it, so that the orchestrator and its
 * target actors can be watched live in the Stately inspector at the returned URL (logged here too).
 *
 * It is asynchronous because `@statelyai/inspect` is imported only when inspection is on: a production
 * start never loads it. The relay listens on every interface (the library offers no host option) and
 * relays the machines' context; it is meant for a developer's machine, not a server.
 *
 * @returns null when `config.inspect` is off, or when the relay's port is taken (logged as a warning:
 *   the service runs uninspected rather than failing to start over a development aid).
 */
export async function createInspector(config: Pick<Config, 'inspect'>, logger: Logger, options: { port?: number } = {}): Promise<Inspector | null> {
  if (!config.inspect) return null;
  const port = options.port ?? DEFAULT_INSPECT_PORT;
  // The relay's own server has no error listener: a taken port would crash the process. Probe first.
  if (!(await portIsFree(port))) {
    logger.warn({ port }, 'INSPECT is on but the inspector port is taken; running without the inspector');
    return null;
  }
  const [{ createWebSocketInspector }, { createInspectorServer }] = await Promise.all([import('@statelyai/inspect'), import('@statelyai/inspect/server')]);
  const relay = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://localhost:${port}` });
  const url = `http://localhost:${port}`;
  logger.info({ url }, 'Stately inspector relay started: open the URL to watch the live actor system');
  return {
    inspect: inspector.inspect,
    url,
    stop: () => {
      inspector.stop();
      relay.stop();
    },
  };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}
