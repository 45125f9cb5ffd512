import fp from 'fastify-plugin';
import { EventJournal } from '../event-journal.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every runtime event in one gap-free sequence, with a replay ring (the stream and the metrics read it). */
    events: EventJournal;
  }
}

/** Options of the event journal plugin. */
export interface EventJournalPluginOptions {
  /** Events kept for `?since=` replay. */
  replayCapacity: number;
}

/**
 * Subscribes one {@link EventJournal} to `app.orchestrator` for the life of the app. One subscription for
 * every WebSocket client and the metrics: the runtime calls a single listener inside its step, and the
 * sequence numbers are the same for everyone.
 */
export default fp(
  async function eventJournal(app, options: EventJournalPluginOptions) {
    const journal = new EventJournal({
      capacity: options.replayCapacity,
      logger: app.log.child({ component: 'event-journal' }),
    });
    const unsubscribe = app.orchestrator.subscribe((event) => journal.append(event), { transitions: true });
    app.decorate('events', journal);
    app.addHook('onClose', async () => unsubscribe());
  },
  { name: 'event-journal', fastify: '5.x', dependencies: ['orchestrator'] },
);
