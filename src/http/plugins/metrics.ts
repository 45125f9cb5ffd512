import fp from 'fastify-plugin';
import { OperatorMetrics } from '../metrics/operator-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Prometheus metrics (`GET /metrics`); plugins may register their own series on its registry. */
    metrics: OperatorMetrics;
  }
}

/** Creates the app's {@link OperatorMetrics} and feeds it every event of the journal. */
export default fp(
  async function metrics(app) {
    const metrics = new OperatorMetrics();
    const stop = app.events.listen((event) => metrics.observe(event));
    app.decorate('metrics', metrics);
    app.addHook('onClose', async () => stop());
  },
  { name: 'metrics', fastify: '5.x', dependencies: ['event-journal'] },
);
