import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { buildApp, type AppDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { TOKEN } from './harness.js';
import { OrchestratorDouble } from './orchestrator-double.js';

/** A message of the stream: the first `status`, or an event. */
export interface StreamMessage {
  seq: number;
  type: string;
  at: string;
  [field: string]: unknown;
}

const open: FastifyInstance[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/** An app over a runtime double listening on a loopback port (real sockets, not `inject`); closed after the test. */
export async function liveApp(overrides: Partial<Omit<AppDeps, 'orchestrator' | 'config'>> = {}) {
  const runtime = new OrchestratorDouble();
  const app = await buildApp({ orchestrator: runtime, config: loadConfig({ API_TOKEN: TOKEN }), ...overrides });
  open.push(app);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const ws = address.replace(/^http/, 'ws');
  /** The stream's URL with the token in the query and any other parameters. */
  const streamUrl = (params: Record<string, string | number> = {}, token: string | null = TOKEN) => {
    const query = new URLSearchParams(Object.entries({ ...(token === null ? {} : { token }), ...params }).map(([k, v]) => [k, String(v)]));
    return `${ws}/api/sync/stream${query.size > 0 ? `?${query}` : ''}`;
  };
  return { app, runtime, address, streamUrl };
}

/**
 * A real WebSocket client of the stream that records every message, so that a test awaits messages
 * (`take`) instead of sleeping.
 */
export class StreamClient {
  readonly messages: StreamMessage[] = [];
  /** Resolves with the close code once the connection is gone (1006: dropped without a closing handshake). */
  readonly closed: Promise<number>;
  private consumed = 0;
  private wake: (() => void) | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as StreamMessage);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
  }

  /** Connects and resolves once the upgrade succeeded; rejects with the HTTP status when it is refused. */
  static connect(url: string, options: ClientOptions = {}): Promise<StreamClient> {
    const socket = new WebSocket(url, options);
    sockets.push(socket);
    const client = new StreamClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => reject(new RefusedError(response.statusCode ?? 0, response.headers)));
      socket.once('error', (error) => reject(error));
    });
  }

  /** The next `count` messages not taken yet, waiting up to `timeoutMs` for them. */
  async take(count: number, timeoutMs = 5_000): Promise<StreamMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < this.consumed + count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} more message(s), got ${this.messages.length - this.consumed}: ${JSON.stringify(this.messages.slice(this.consumed))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    const taken = this.messages.slice(this.consumed, this.consumed + count);
    this.consumed += count;
    return taken;
  }

  /** The next message. */
  async next(timeoutMs?: number): Promise<StreamMessage> {
    return (await this.take(1, timeoutMs))[0]!;
  }

  /** Messages received and not taken yet. */
  get pending(): StreamMessage[] {
    return this.messages.slice(this.consumed);
  }

  /** Closes with a closing handshake and waits until it is done. */
  async close(): Promise<void> {
    this.socket.close(1000);
    await this.closed;
  }
}

/** The upgrade was answered with an HTTP status instead of 101. */
export class RefusedError extends Error {
  constructor(
    readonly statusCode: number,
    readonly headers: Record<string, unknown>,
  ) {
    super(`upgrade refused with ${statusCode}`);
  }
}

/** Resolves when `promise` settles, or rejects after `ms` naming `what`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref())]);
}
