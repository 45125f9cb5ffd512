import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { InspectionEvent, Observer } from 'xstate';
import type { Config } from '../config.js';

/** The hosted Stately inspector the relay's page frames: it needs the internet, unlike the dashboard's own. */
export const STATELY_INSPECTOR_URL = 'https://stately.ai/inspect';

/**
 * Messages the relay keeps for a page opened later, as `@statelyai/inspect/server` does: enough for the
 * actors' registrations and their latest snapshots, not a history.
 */
const RELAY_BUFFER = 200;

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
 * Development aid, off by default: with `INSPECT=1` (`npm run dev:inspect`), starts a local relay on
 * `INSPECT_HOST:INSPECT_PORT` (127.0.0.1:8080 by default) and connects a `@statelyai/inspect` WebSocket
 * inspector to it, so that the orchestrator and its target actors can be watched live in the hosted
 * Stately inspector, which the relay's page frames (it needs the internet; the dashboard's own inspector
 * does not).
 *
 * The relay is this module's rather than `@statelyai/inspect/server`'s because that one listens on every
 * interface with no host option and has no error listener (a taken port would crash the process), and
 * the relay carries the machines' context, which is not for the network to read.
 *
 * It is asynchronous because `@statelyai/inspect` is imported only when inspection is on: a production
 * start never loads it.
 *
 * @returns null when `config.inspect` is off, or when the relay cannot listen (logged as a warning: the
 *   service runs uninspected rather than failing to start over a development aid).
 */
export async function createInspector(config: Pick<Config, 'inspect' | 'inspectHost' | 'inspectPort'>, logger: Logger): Promise<Inspector | null> {
  if (!config.inspect) return null;
  const { inspectHost: host, inspectPort: port } = config;
  let relay: Relay;
  try {
    relay = await startRelay(host, port);
  } catch (error) {
    logger.warn({ host, port, err: error }, 'INSPECT is on but the inspector relay cannot listen (INSPECT_HOST, INSPECT_PORT); running without the inspector');
    return null;
  }
  const { createWebSocketInspector } = await import('@statelyai/inspect');
  const inspector = createWebSocketInspector({ url: `ws://${relay.authority}` });
  const url = `http://${relay.authority}`;
  logger.info({ url }, 'Stately inspector relay started: open the URL to watch the live actor system (needs the internet)');
  return {
    inspect: inspector.inspect,
    url,
    stop: () => {
      inspector.stop();
      relay.stop();
    },
  };
}

interface Relay {
  /** `host:port` to reach it (wildcard hosts are reached over loopback). */
  authority: string;
  stop(): void;
}

/**
 * An HTTP server with the bridge page and a WebSocket relay on the same port: what the app's inspector
 * sends goes to every other connection (the pages), and a page that connects late gets the buffer first.
 */
function startRelay(host: string, port: number): Promise<Relay> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(BRIDGE_PAGE);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // Attached once listening: `ws` re-emits the server's errors, and a taken port must reject, not crash.
      const sockets = relaySockets(server);
      const bound = (server.address() as AddressInfo).port;
      resolve({ authority: `${urlHost(host)}:${bound}`, stop: () => stopRelay(server, sockets) });
    });
  });
}

function relaySockets(server: Server): WebSocketServer {
  const sockets = new WebSocketServer({ server });
  const buffer: string[] = [];
  sockets.on('connection', (socket) => {
    for (const message of buffer) socket.send(message);
    socket.on('error', () => socket.terminate());
    socket.on('message', (data) => {
      const message = String(data);
      buffer.push(message);
      if (buffer.length > RELAY_BUFFER) buffer.shift();
      for (const peer of sockets.clients) if (peer !== socket && peer.readyState === WebSocket.OPEN) peer.send(message);
    });
  });
  return sockets;
}

function stopRelay(server: Server, sockets: WebSocketServer): void {
  for (const socket of sockets.clients) socket.terminate();
  sockets.close();
  server.close();
}

/** A wildcard address is not a place to connect to; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The relay's page: frames the hosted inspector and forwards the relayed inspection events into it once it
 * says it is connected (the protocol of `@statelyai/inspect/server`'s bridge page).
 */
const BRIDGE_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Stately inspector · sync orchestrator</title>
  <style>html, body { margin: 0; height: 100%; } iframe { border: 0; width: 100%; height: 100%; }</style>
</head>
<body>
  <iframe id="inspector" src="${STATELY_INSPECTOR_URL}" title="Stately inspector"></iframe>
  <script>
    const frame = document.getElementById('inspector');
    const pending = [];
    let connected = false;
    window.addEventListener('message', (event) => {
      if (event.data && event.data.type === '@statelyai.connected') {
        connected = true;
        for (const data of pending.splice(0)) frame.contentWindow.postMessage(data, '*');
      }
    });
    const socket = new WebSocket('ws://' + location.host);
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (connected) frame.contentWindow.postMessage(data, '*');
      else pending.push(data);
    };
  </script>
</body>
</html>
`;
