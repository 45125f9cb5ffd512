import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Also accept the token as `?token=` (the WebSocket stream: a browser cannot set headers on a
     * WebSocket). The `Authorization` header still wins when both are present.
     */
    tokenInQuery?: boolean;
  }
}

/**
 * What a request presents as credentials, decided once per request: the bearer check answers with it,
 * and the rate limit counts refused attempts apart from authenticated ones (so that a flood of wrong
 * tokens from an address cannot lock the token holder at that address out).
 */
export type Credential = 'valid' | 'missing' | 'malformed' | 'invalid';

/** Reads a request's credential (memoised per request). */
export type CredentialCheck = (request: FastifyRequest) => Credential;

/** The check for one API token. Both sides are compared as SHA-256 digests in constant time. */
export function credentialCheck(token: string): CredentialCheck {
  // Equal-length buffers for `timingSafeEqual`, and the comparison time does not reveal the token's length.
  const expected = digest(token);
  const seen = new WeakMap<FastifyRequest, Credential>();
  return (request) => {
    let credential = seen.get(request);
    if (credential === undefined) {
      const presented = presentedToken(request);
      credential = typeof presented === 'string' ? presented : timingSafeEqual(digest(presented.token), expected) ? 'valid' : 'invalid';
      seen.set(request, credential);
    }
    return credential;
  };
}

/** The token a request presents, or why there is none. */
function presentedToken(request: FastifyRequest): Presented {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const bearer = bearerToken(header);
    if (bearer !== 'missing') return bearer;
  }
  const query = queryToken(request);
  return query === null ? 'missing' : { token: query };
}

/** A token, or why there is none. */
type Presented = { token: string } | 'missing' | 'malformed';

/**
 * The token of an `Authorization: Bearer …` header (scheme case-insensitive, RFC 7235). Another scheme
 * or an empty one presents no bearer token; `Bearer` followed by more than one word is malformed (a
 * pasted line with a trailing note, say) and is told so rather than "missing".
 */
function bearerToken(header: string): Presented {
  const match = /^Bearer(?: +(.*))?$/i.exec(header.trim());
  const rest = match?.[1]?.trim() ?? '';
  if (rest === '') return 'missing';
  return /\s/.test(rest) ? 'malformed' : { token: rest };
}

/**
 * `?token=` on routes that allow it (see `tokenInQuery`), read from the raw query under its canonical
 * key only: `?tok%65n=` decodes to the same name for the query parser, but it is not accepted (and every
 * spelling is masked in the logs all the same, see `maskedUrl`).
 */
function queryToken(request: FastifyRequest): string | null {
  if (request.routeOptions.config.tokenInQuery !== true) return null;
  for (const [key, value] of queryParts(request.url).map(keyValue)) {
    if (key !== 'token') continue;
    const token = decoded(value);
    return token === null || token === '' ? null : token;
  }
  return null;
}

/** The `&`-separated parts of a URL's query, as sent. */
function queryParts(url: string): string[] {
  const start = url.indexOf('?');
  return start < 0 ? [] : url.slice(start + 1).split('&');
}

/** `[rawKey, rawValue]` of a query part. */
function keyValue(part: string): [string, string] {
  const eq = part.indexOf('=');
  return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
}

/** A query component decoded as the query parser does (`+` is a space), or null when it is not valid. */
function decoded(component: string): string | null {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * A URL fit for a log line: the value of every query parameter whose name *decodes* to `token` (any
 * case, any percent-encoding) is replaced, and so is the value of a name that does not decode at all.
 */
export function maskedUrl(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const parts = queryParts(url).map((part) => {
    const [key] = keyValue(part);
    const name = decoded(key);
    return name === null || name.trim().toLowerCase() === 'token' ? `${key}=[redacted]` : part;
  });
  return `${url.slice(0, start + 1)}${parts.join('&')}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
