import { STATUS_CODES } from 'node:http';
import type { Service } from '../../machines/index.js';
import { exportNames, isExportName } from '../exports/registry.js';

/**
 * An error that is an HTTP answer: the error handler sends `{ error, message, statusCode }` from it (plus
 * `extra`) and sets `headers`. Routes throw these instead of shaping replies by hand.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The reason phrase of a status code (`Not Found`). */
export function reasonPhrase(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? 'Error';
}

/** 400 with a readable message. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

/** 404 with a readable message. */
export function notFound(message: string): HttpError {
  return new HttpError(404, message);
}

/** The service named by a client, or a 404 that lists the services. */
export function serviceOr404(name: string): Service {
  if (isExportName(name)) return name;
  throw notFound(`unknown service ${JSON.stringify(name)}; services: ${exportNames().join(', ')}`);
}
