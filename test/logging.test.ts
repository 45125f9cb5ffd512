import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogOutput } from '../src/logging.js';

/** A stream that accepts `capacity` writes and then never drains, like a pipe nobody reads. */
function stalledStream(capacity: number) {
  const written: string[] = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      if (written.length < capacity) done();
    },
  });
  return { stream, written };
}

describe('log output', () => {
  it('writes one JSON object per line', () => {
    const { stream, written } = stalledStream(Infinity);
    const { logger } = createLogOutput({ level: 'info', format: 'json', stream });
    logger.info({ target: 'orders@default' }, 'sync completed');
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0]!)).toMatchObject({ level: 30, msg: 'sync completed', target: 'orders@default' });
  });

  it('writes one readable line per entry in the pretty format, fields included', () => {
    const { stream, written } = stalledStream(Infinity);
    const { logger } = createLogOutput({ level: 'info', format: 'pretty', stream });
    logger.info({ target: 'orders@default', ms: 12 }, 'sync completed');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: sync completed \{"target":"orders@default","ms":12\}\n$/);
  });

  it('never waits for a reader that stopped reading: lines beyond the bound are dropped, then counted', () => {
    const { stream, written } = stalledStream(1);
    const output = createLogOutput({ level: 'info', format: 'json', stream, maxBacklogBytes: 1_000 });
    for (let i = 0; i < 1_000; i++) output.logger.info({ i }, 'line');
    expect(output.dropped).toBeGreaterThan(900);
    expect(written).toHaveLength(1);
  });

  it('goes quiet when the reader is gone instead of throwing', () => {
    const stream = new Writable({ write: (_chunk, _encoding, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    const { logger } = createLogOutput({ level: 'info', format: 'json', stream });
    logger.info('first');
    expect(() => logger.info('after the reader left')).not.toThrow();
  });

  it('resolves flush after its timeout when the reader never reads', async () => {
    const { stream } = stalledStream(1);
    const output = createLogOutput({ level: 'info', format: 'json', stream });
    output.logger.info('a');
    output.logger.info('b');
    await output.flush(50);
  });
});
