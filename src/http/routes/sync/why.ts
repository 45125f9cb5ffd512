import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Why, WhyReason } from '../../../../machines/index.js';
import type { IsoTimes } from '../../../runtime/runtime-port.js';
import { NOT_FOUND, PROTECTED_ERRORS } from '../../schemas/common.js';
import { ServiceParams } from '../../schemas/sync-request.js';
import { WhyBody } from '../../schemas/why.js';
import { serviceOr404 } from '../../errors.js';

/** `GET /api/sync/:service/why`. */
const whyRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:service/why',
    {
      schema: {
        summary: 'Why a service is (not) running',
        description: 'Reason codes from the live snapshot for every target of the service: RUNNING, MUTEX_HELD, QUEUED, LEASE, OPERATOR_PAUSE, PREEMPTED, BACKOFF, BREAKER_OPEN, NEXT_DUE, DISABLED.',
        tags: ['sync'],
        params: ServiceParams,
        response: { 200: WhyBody, ...PROTECTED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const service = serviceOr404(request.params.service);
      return { service, targets: app.runtime.why(service).map(isoWhy) };
    },
  );
};

/**
 * The port hands out the machines' `Why`, whose `until`/`at` are epoch ms; the API speaks ISO-8601.
 * A value that is already a string is passed through, so a runtime that converts first is fine too.
 */
function isoWhy(why: Why | IsoTimes<Why>): IsoTimes<Why> {
  return { ...why, reasons: why.reasons.map(isoReason) };
}

function isoReason(reason: WhyReason | IsoTimes<WhyReason>): IsoTimes<WhyReason> {
  const { until, at, ...rest } = reason;
  return { ...rest, ...(until === undefined ? {} : { until: iso(until) }), ...(at === undefined ? {} : { at: iso(at) }) };
}

function iso(time: number | string): string {
  return typeof time === 'number' ? new Date(time).toISOString() : time;
}

export default whyRoute;
