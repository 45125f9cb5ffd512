import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { LedgerFilter } from '../../../runtime/orchestrator-port.js';
import { NOT_FOUND, PROTECTED_ERRORS } from '../../schemas/common.js';
import { DEFAULT_LEDGER_LIMIT, LedgerQuery, RunsBody, SkipsBody } from '../../schemas/ledger.js';
import { serviceOr404 } from '../../errors.js';

/** `GET /api/sync/runs` and `GET /api/sync/skips`: the ledgers, newest first. */
const ledgerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/runs',
    {
      schema: {
        summary: 'Run ledger',
        description: 'Runs with their trigger, phases, stats and outcome, newest first.',
        tags: ['ledger'],
        querystring: LedgerQuery,
        response: { 200: RunsBody, ...PROTECTED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => ({ runs: app.orchestrator.runs(ledgerFilter(request.query)) }),
  );

  app.get(
    '/skips',
    {
      schema: {
        summary: 'Skip ledger',
        description: 'Triggers that did not become a run, with their reason code, newest first.',
        tags: ['ledger'],
        querystring: LedgerQuery,
        response: { 200: SkipsBody, ...PROTECTED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => ({ skips: app.orchestrator.skips(ledgerFilter(request.query)) }),
  );
};

/** An unknown `service` filter is a 404 like everywhere else, rather than an empty list that hides a typo. */
function ledgerFilter(query: Static<typeof LedgerQuery>): LedgerFilter {
  return {
    ...(query.service === undefined ? {} : { service: serviceOr404(query.service) }),
    ...(query.account === undefined ? {} : { account: query.account }),
    limit: query.limit ?? DEFAULT_LEDGER_LIMIT,
  };
}

export default ledgerRoutes;
