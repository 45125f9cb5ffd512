/**
 * The load side of `operator.bench.ts`, in a worker thread so that the clients' own work does not run on
 * the server's event loop (which is what is measured). Two roles:
 *
 * - `stream`: N WebSocket clients of `/api/sync/stream`; each checks that its `seq` never skips and
 *   records, per event, the time from the event's `at` (the orchestrator's clock, `Date.now()` of this
 *   same process) to its arrival.
 * - `http`: an open-loop generator of `GET /api/sync/status` at a fixed rate (requests go out on
 *   schedule whether or not earlier ones have answered, so a slow server cannot slow the load down and
 *   hide its own latency), recording each request's latency.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';

/** What the worker is started with. */
export type LoadWorkerData = { role: 'stream'; url: string; clients: number } | { role: 'http'; url: string; token: string };

/** Commands from the bench. A `report` hands over (and forgets) the latencies since the last one; counts are cumulative. */
export type LoadCommand = { type: 'report' } | { type: 'load'; ratePerSecond: number } | { type: 'stop' };

/** Messages to the bench. */
export type LoadMessage =
  | { type: 'ready' }
  | { type: 'stream-report'; latenciesMs: number[]; received: number[]; gaps: number; closed: number; slowest: SlowEvent[] }
  | { type: 'http-report'; latenciesMs: number[]; errors: number };

/** An event of the stream with the latest arrival at any client, to tell which step held the fan-out up. */
export interface SlowEvent {
  seq: number;
  type: string;
  /** Latest arrival at a client after the event's `at`, ms. */
  ms: number;
}

/** Slowest events kept per report. */
const SLOWEST = 3;

const data = workerData as LoadWorkerData;
const port = parentPort!;
const post = (message: LoadMessage): void => port.postMessage(message);

if (data.role === 'stream') runStreamClients(data.url, data.clients);
else runStatusLoad(data.url, data.token);

function runStreamClients(url: string, count: number): void {
  const latencies: number[] = [];
  const latest = new Map<number, SlowEvent>();
  const received = new Array<number>(count).fill(0);
  let gaps = 0;
  let closed = 0;
  let ready = 0;
  for (let i = 0; i < count; i++) {
    const socket = new WebSocket(url);
    let last: number | null = null;
    socket.on('message', (raw) => {
      const arrived = Date.now();
      const message = JSON.parse(String(raw)) as { seq: number; type: string; at: string };
      if (message.type === 'status') {
        last = message.seq;
        if (++ready === count) post({ type: 'ready' });
        return;
      }
      if (last !== null && message.seq !== last + 1) gaps += Math.abs(message.seq - last - 1) || 1;
      last = message.seq;
      received[i]! += 1;
      const ms = arrived - Date.parse(message.at);
      latencies.push(ms);
      const known = latest.get(message.seq);
      if (known === undefined || known.ms < ms) latest.set(message.seq, { seq: message.seq, type: message.type, ms });
    });
    socket.on('close', () => void closed++);
    socket.on('error', () => {});
  }
  port.on('message', (command: LoadCommand) => {
    if (command.type !== 'report') return;
    const slowest = [...latest.values()].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST);
    latest.clear();
    post({ type: 'stream-report', latenciesMs: latencies.splice(0), received: [...received], gaps, closed, slowest });
  });
}

function runStatusLoad(url: string, token: string): void {
  // Enough sockets that an open-loop burst never queues on the client side.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let latencies: number[] = [];
  let errors = 0;
  let timer: NodeJS.Timeout | null = null;

  const fire = (): void => {
    const started = performance.now();
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - started);
        else errors++;
      });
    });
    req.on('error', () => void errors++);
    req.end();
  };

  port.on('message', (command: LoadCommand) => {
    if (command.type === 'load') {
      const interval = 1000 / command.ratePerSecond;
      const start = performance.now();
      let sent = 0;
      const tick = (): void => {
        // Catch up on schedule: each request has a fixed send time, however late this tick runs.
        while (start + sent * interval <= performance.now()) {
          fire();
          sent++;
        }
        timer = setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      };
      tick();
      post({ type: 'ready' });
    }
    if (command.type === 'stop') {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      // Requests still in flight belong to the phase that sent them: give them a moment to answer.
      setTimeout(() => {
        post({ type: 'http-report', latenciesMs: latencies, errors });
        latencies = [];
        errors = 0;
      }, 250);
    }
  });
}
