/**
 * `sync-orchestrator simulator [--port N] …`: runs the ERP simulator on its own, for a demo or for
 * pointing a browser at it. This function writes to stdout/stderr directly: its lines are the command's
 * user-facing output.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { DEFAULT_SIMULATOR_ACCOUNTS, startErpSimulator, type SimulatorAccount } from './erp-simulator.js';
import type { FaultSettings } from './simulator-faults.js';

const USAGE = `usage: sync-orchestrator simulator [options]
  --port N              port to listen on (default 8088; 0 picks a free one)
  --host H              interface (default 127.0.0.1)
  --accounts a:pw,b:pw  accounts that may log in (default ${DEFAULT_SIMULATOR_ACCOUNTS.map((a) => `${a.name}:${a.password}`).join(',')})
  --seed S              dataset seed (default erp-simulator)
  --customers N --orders N --products N --prices N   dataset size
  --hour-ms N           real milliseconds per simulated hour (the data then changes on its own)
  --session-idle-ms N   idle time after which a session expires (default 20 minutes)
  --faults JSON         faults at start, e.g. '{"slowPagesMs":500}' (see POST /__admin/faults)
  --log-level L         request log level (default warn)
`;

/** Options the command understands. */
const OPTIONS = {
  port: { type: 'string', default: '8088' },
  host: { type: 'string', default: '127.0.0.1' },
  accounts: { type: 'string' },
  seed: { type: 'string' },
  customers: { type: 'string' },
  orders: { type: 'string' },
  products: { type: 'string' },
  prices: { type: 'string' },
  'hour-ms': { type: 'string' },
  'session-idle-ms': { type: 'string' },
  faults: { type: 'string' },
  'log-level': { type: 'string', default: 'warn' },
  help: { type: 'boolean' },
} as const;

/** A bad command line; its message is shown with the usage. */
class UsageError extends Error {}

function integer(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}; got "${raw}"`);
  return n;
}

function accountsOption(raw: string | undefined): SimulatorAccount[] | undefined {
  if (raw === undefined) return undefined;
  const accounts = raw.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
    const colon = item.indexOf(':');
    if (colon <= 0 || colon === item.length - 1) throw new UsageError(`--accounts: "${item}" must be name:password`);
    return { name: item.slice(0, colon), password: item.slice(colon + 1) };
  });
  if (accounts.length === 0) throw new UsageError('--accounts lists no account');
  return accounts;
}

function faultsOption(raw: string | undefined): FaultSettings | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as FaultSettings;
  } catch (err) {
    throw new UsageError(`--faults must be JSON: ${(err as Error).message}`);
  }
}

/**
 * Runs the simulator until SIGINT or SIGTERM; resolves with the process exit code (0 after a clean
 * stop, 2 for a bad command line, 1 when it cannot start).
 */
export async function runSimulatorCommand(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let options: Parameters<typeof startErpSimulator>[0];
  try {
    const size = Object.fromEntries(
      (['customers', 'orders', 'products', 'prices'] as const).flatMap((k) => {
        const n = integer(k, values[k], 0);
        return n === undefined ? [] : [[k, n]];
      }),
    );
    const accounts = accountsOption(values.accounts);
    const faults = faultsOption(values.faults);
    const hourMs = integer('hour-ms', values['hour-ms'], 1);
    const sessionIdleMs = integer('session-idle-ms', values['session-idle-ms'], 1);
    options = {
      port: integer('port', values.port, 0) ?? 8088,
      host: values.host,
      size,
      logger: pino({ level: values['log-level'] }),
      ...(accounts ? { accounts } : {}),
      ...(values.seed ? { seed: values.seed } : {}),
      ...(faults ? { faults } : {}),
      ...(hourMs ? { hourMs } : {}),
      ...(sessionIdleMs ? { sessionIdleMs } : {}),
    };
  } catch (err) {
    process.stderr.write(err instanceof UsageError ? `${err.message}\n${USAGE}` : `${(err as Error).message}\n`);
    return 2;
  }

  let simulator;
  try {
    simulator = await startErpSimulator(options);
  } catch (err) {
    process.stderr.write(`could not start the ERP simulator: ${(err as Error).message}\n`);
    return 1;
  }
  const accounts = options.accounts ?? DEFAULT_SIMULATOR_ACCOUNTS;
  const service = accounts.find((a) => a.name === 'default') ?? accounts[0]!;
  const agents = accounts.length > 1 ? accounts.filter((a) => a !== service) : accounts;
  process.stdout.write(
    [
      `ERP simulator listening on ${simulator.url}`,
      `  login:     ${simulator.url}/Login.aspx  (${accounts.map((a) => `${a.name} / ${a.password}`).join(', ')})`,
      `  use it:    ERP_URL=${simulator.url} ERP_USERNAME=${service.name} ERP_PASSWORD=${service.password} ERP_ACCOUNTS=${agents.map((a) => `${a.name}:${a.password}`).join(',')}`,
      `  faults:    curl -X POST ${simulator.url}/__admin/faults -H 'content-type: application/json' -d '{"expireSessions":true}'`,
      `  state:     ${simulator.url}/__admin/state`,
      '  stop:      Ctrl+C',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.close();
  process.stdout.write('ERP simulator stopped\n');
  return 0;
}
