import type { FastifyPluginAsync } from 'fastify';
import ledgerRoutes from './ledger.js';
import pauseRoutes from './pause.js';
import requestRoutes from './requests.js';
import scheduleRoutes from './schedule.js';
import statusRoute from './status.js';
import whyRoute from './why.js';

/** Everything under `/api/sync` (protected by the scope that registers it). */
const syncRoutes: FastifyPluginAsync = async (app) => {
  await app.register(statusRoute);
  await app.register(scheduleRoutes);
  await app.register(pauseRoutes);
  await app.register(ledgerRoutes);
  await app.register(requestRoutes);
  await app.register(whyRoute);
};

export default syncRoutes;
