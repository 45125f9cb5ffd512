import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

/**
 * Bodies are JSON in UTF-8, nothing else. Fastify would also parse `text/plain` (a JSON body sent with
 * the wrong type then fails validation as "body must be object") and read `application/json;
 * charset=utf-16` as UTF-8; both are answered 415 with a message naming what to send instead.
 */
export default fp(
  async function contentType(app) {
    // The default parser keeps its protection against `__proto__` and `constructor` keys.
    const json = app.getDefaultJsonParser('error', 'error');
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const charset = charsetOf(request);
      if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
        done(new HttpError(415, `charset ${charset} is not accepted: send the body as application/json in UTF-8`), undefined);
        return;
      }
      json(request, String(body), done);
    });
    app.addContentTypeParser('*', (request, _payload, done) => {
      const type = request.headers['content-type'] ?? '(none)';
      done(new HttpError(415, `content-type ${type} is not accepted: send the body as application/json`), undefined);
    });
  },
  { name: 'content-type', fastify: '5.x' },
);

/** The lower-cased `charset` parameter of the request's content type, or null. */
function charsetOf(request: FastifyRequest): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '');
  return match?.[1]?.toLowerCase() ?? null;
}
