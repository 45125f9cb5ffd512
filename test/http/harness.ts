import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino, type LoggerOptions } from 'pino';
import { afterEach } from 'vitest';
import { buildApp, type AppDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { OrchestratorDouble } from './orchestrator-double.js';

/** The token every test app is configured with. */
export const TOKEN = 'test-token-0123456789abcdef';
/** The header that carries it. */
export const AUTH = { authorization: `Bearer ${TOKEN}` };

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/** A built (not listening) app over a fresh runtime double; closed after the test. */
export async function testApp(overrides: Partial<Omit<AppDeps, 'orchestrator' | 'config'>> = {}) {
  const runtime = new OrchestratorDouble();
  const config = loadConfig({ API_TOKEN: TOKEN });
  const app = await buildApp({ orchestrator: runtime, config, ...overrides });
  open.push(app);
  /** `inject` with the bearer token. */
  const call = (options: InjectOptions) => app.inject({ ...options, headers: { ...AUTH, ...options.headers } });
  return { app, runtime, call };
}

/** A trace-level pino logger whose lines are kept in memory; `text()` is everything logged so far. */
export function capturedLog(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'trace', ...options }, sink), text: () => lines.join('') };
}
