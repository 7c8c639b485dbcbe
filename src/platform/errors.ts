import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';

/** An error meant for the API caller: status, stable code, plain message. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Logged, never sent to the caller. */
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);

export function fromZodError(err: ZodError, where = 'body'): AppError {
  const fields = err.issues.map((i) => ({ field: [where, ...i.path].join('.'), message: i.message }));
  const first = fields[0];
  return new AppError(400, 'validation_error', first ? `${first.field}: ${first.message}` : 'invalid input', { fields });
}

/** Maps every error to DESIGN.md's `{ error: { code, message, details? } }`; never a stack trace. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    const out = toAppError(err);
    if (out.statusCode >= 500) request.log.error({ err: out.cause ?? err }, 'request failed');
    else request.log.info({ code: out.code, msg: out.message }, 'request rejected');
    return reply.status(out.statusCode).send({ error: { code: out.code, message: out.message, details: out.details } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );
}

function toAppError(err: FastifyError | AppError | Error): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return fromZodError(err);
  const fe = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const where = fe.validationContext ?? 'body';
    const fields = fe.validation.map((v) => ({
      field: [where, ...String(v.instancePath ?? '').split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return new AppError(400, 'validation_error', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'payload_too_large', 'request body is too large (limit: MAX_JSON_BODY_MB); send recordings as multipart/form-data');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported_media_type', fe.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'invalid_json', 'body is empty but content-type is application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(400, 'invalid_json', 'body is not valid JSON');
  }
  if (fe instanceof SyntaxError && fe.statusCode === 400) return new AppError(400, 'invalid_json', 'body is not valid JSON');
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own codes (FST_ERR_…) are internals, not part of the API's stable codes.
    const code = fe.code && !fe.code.startsWith('FST_') ? fe.code.toLowerCase() : 'bad_request';
    return new AppError(fe.statusCode, code, fe.message);
  }
  return new AppError(500, 'internal_error', 'internal error');
}
