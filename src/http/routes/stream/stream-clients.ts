import type { FastifyBaseLogger as Logger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import type { StreamEvent } from '../../event-journal.js';
import { FanOutQueue } from './fan-out-queue.js';

/** Tuning of the WebSocket stream. */
export interface StreamSettings {
  /**
   * A ping goes to every client this often; a client that has not answered the previous one by the
   * next tick is terminated. A dead peer (laptop closed, NAT entry gone) otherwise holds its socket and
   * its share of every broadcast forever.
   */
  heartbeatMs: number;
  /** Events kept for `?since=` replay (a few minutes of a busy sync at one progress event per percent). */
  replayCapacity: number;
  /**
   * A client whose unsent bytes exceed this is dropped: it reads slower than events are produced, and
   * keeping its backlog would let one slow tab grow the server's memory without bound. It reconnects
   * with `?since=` and catches up from the replay ring or a fresh status.
   */
  maxBufferedBytes: number;
  /** Connections beyond this are refused with 503 before the upgrade. */
  maxClients: number;
  /** Largest message a client may send (clients only listen; anything big is a mistake or an attack). */
  maxPayloadBytes: number;
}

/** Defaults of {@link StreamSettings}. */
export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  heartbeatMs: 30_000,
  replayCapacity: 2_000,
  maxBufferedBytes: 1024 * 1024,
  maxClients: 500,
  maxPayloadBytes: 1024,
};

/** Why a client was disconnected by the server. */
export type DropReason = 'heartbeat' | 'slow' | 'error';

interface Client {
  socket: WebSocket;
  /** Answered the last ping (or connected since). */
  alive: boolean;
  log: Logger;
  /** The write callback of this client's sends (one closure per client, not one per message). */
  sent: (error?: Error | null) => void;
}

/** A message as it is written: a string (first messages) or an event's JSON encoded once for every client. */
type Message = string | Buffer;

/**
 * The connected stream clients: writes each event to all of them (serialized and UTF-8 encoded once),
 * pings them on a heartbeat and drops the dead and the slow. An event is written outside the
 * orchestrator's step that emitted it, in time slices with the event loop served between them
 * ({@link FanOutQueue}); the queue keeps journal order, so each client receives the sequence in order and
 * without gaps, or is disconnected.
 */
export class StreamClients {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly connected: Gauge;
  private readonly dropped: Counter<'reason'>;
  private readonly sent: Counter;
  private readonly outbox = new FanOutQueue<Client, Message>({
    deliver: (client, message) => this.write(client, message),
    isCurrent: (client) => this.clients.has(client),
    onError: (client, error) => this.drop(client, 'error', { err: error }),
  });

  constructor(
    private readonly settings: StreamSettings,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.heartbeat = setInterval(() => this.beat(), settings.heartbeatMs);
    // The heartbeat must not keep a process alive that is otherwise done (tests, a failed start).
    this.heartbeat.unref();
    this.connected = new Gauge({ name: 'sync_stream_clients', help: 'WebSocket stream clients connected.', registers: [registry] });
    this.dropped = new Counter({
      name: 'sync_stream_clients_dropped_total',
      help: 'Stream clients disconnected by the server, by reason (heartbeat, slow, error).',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.sent = new Counter({ name: 'sync_stream_messages_sent_total', help: 'Stream messages written to clients.', registers: [registry] });
  }

  /** Clients connected now. */
  get size(): number {
    return this.clients.size;
  }

  /**
   * Adds a client and sends it `initial` (a status or the replayed events) first. Call it in the same
   * tick as reading `initial` from the journal: no event can then fall between the two. Clients only
   * listen: what they send is read by nobody (and bounded by `maxPayloadBytes`).
   */
  add(socket: WebSocket, initial: string[], log: Logger): void {
    const client: Client = {
      socket,
      alive: true,
      log,
      sent: (error) => {
        if (error !== undefined && error !== null) this.drop(client, 'error', { err: error });
      },
    };
    this.clients.add(client);
    this.connected.set(this.clients.size);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', (code: number) => {
      this.forget(client);
      log.debug({ code }, 'stream client disconnected');
    });
    for (const message of initial) this.write(client, message);
  }

  /**
   * Queues one event for every client connected now (a client connecting later has it, or a status
   * after it, among its first messages). Returns at once: the writes follow in slices.
   */
  broadcast(event: StreamEvent): void {
    if (this.clients.size === 0) return;
    this.outbox.enqueue(Buffer.from(JSON.stringify(event)), this.clients);
  }

  /** Stops the heartbeat and closes every client with 1001 (going away): they reconnect with `?since=`. */
  close(): void {
    clearInterval(this.heartbeat);
    this.outbox.clear();
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.clients.clear();
    this.connected.set(0);
  }

  private write(client: Client, message: Message): void {
    const { socket } = client;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.settings.maxBufferedBytes) return this.drop(client, 'slow', { bufferedAmount: socket.bufferedAmount });
    // A Buffer is written as it is (a text frame with `binary: false`); a string would be encoded per client.
    socket.send(message, { binary: false }, client.sent);
    this.sent.inc();
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.drop(client, 'heartbeat', { heartbeatMs: this.settings.heartbeatMs });
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  /**
   * Terminates (no closing handshake: a slow or dead peer would not read the close frame either) and
   * forgets the client at once, so that no further event is queued for it.
   */
  private drop(client: Client, reason: DropReason, detail: Record<string, unknown>): void {
    if (!this.clients.has(client)) return;
    this.forget(client);
    this.dropped.inc({ reason });
    client.log.warn({ reason, ...detail }, 'stream client dropped');
    client.socket.terminate();
  }

  private forget(client: Client): void {
    if (this.clients.delete(client)) this.connected.set(this.clients.size);
  }
}
