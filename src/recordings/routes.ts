import { basename, dirname } from 'node:path';
import send from '@fastify/send';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireScope, tenantOf } from '../platform/auth.js';
import { AppError, fromZodError } from '../platform/errors.js';
import { acceptedSchema, importBodySchema, recordingIdParams, recordingSchema } from './schemas.js';
import { createFromImport, createFromUpload, getRecording, retryRecording, type RecordingDeps } from './service.js';
import { receiveUpload } from './upload.js';
import { playableAudio } from './player.js';

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

export const recordingRoutes = (deps: RecordingDeps): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Only JSON and multipart are recording bodies; text/plain gets a clear 415, not a schema error.
  app.removeContentTypeParser('text/plain');

  app.post('/v1/recordings', {
    onRequest: requireScope(deps.db, 'ingest'),
    // One path takes two bodies: multipart is validated field by field while streaming,
    // JSON against importBodySchema (below), so no body schema is attached here.
    schema: {
      tags: ['recordings'],
      summary: 'Upload a recording (multipart: file + fields) or import a transcript (JSON)',
      description:
        'multipart/form-data: `file` plus optional fields externalId, leadId, repId, language (zh|en|auto), channelLayout (mixed|rep-left|rep-right). ' +
        'application/json: `{ transcript: segments[] | WebVTT | SRT text, format?, speakerRoles?, externalId?, leadId?, repId?, language?, channelLayout? }`. ' +
        'A repeated externalId returns the existing recording with 200 and duplicate: true.',
      response: { 200: acceptedSchema, 202: acceptedSchema, '4xx': errorSchema },
    },
    handler: async (request, reply) => {
      const tenantId = tenantOf(request);
      let accepted;
      if (request.isMultipart()) {
        const upload = await receiveUpload(request, deps.storage, deps.config.MAX_UPLOAD_MB * 1024 * 1024);
        accepted = await createFromUpload(deps, tenantId, upload);
      } else {
        const parsed = importBodySchema.safeParse(request.body ?? {});
        if (!parsed.success) throw fromZodError(parsed.error);
        accepted = await createFromImport(deps, tenantId, parsed.data);
      }
      return reply.status(accepted.duplicate ? 200 : 202).send(accepted);
    },
  });

  app.get('/v1/recordings/:id', {
    onRequest: requireScope(deps.db, 'read'),
    schema: {
      tags: ['recordings'],
      summary: 'Status, progress, transcript of one recording',
      params: recordingIdParams,
      response: { 200: recordingSchema, '4xx': errorSchema },
    },
    handler: async (request) => getRecording(deps, tenantOf(request), request.params.id),
  });

  app.post('/v1/recordings/:id/retry', {
    onRequest: requireScope(deps.db, 'ingest'),
    schema: {
      tags: ['recordings'],
      summary: 'Queue a failed recording again (finished chunks are reused)',
      params: recordingIdParams,
      response: { 202: acceptedSchema, '4xx': errorSchema },
    },
    handler: async (request, reply) => reply.status(202).send(await retryRecording(deps, tenantOf(request), request.params.id)),
  });

  app.get('/v1/recordings/:id/audio', {
    onRequest: requireScope(deps.db, 'read'),
    schema: {
      tags: ['recordings'],
      summary: 'The normalised audio (16 kHz WAV) for playback; honours Range requests so players can seek',
      params: recordingIdParams,
    },
    handler: async (request, reply) => {
      const file = await playableAudio(deps, tenantOf(request), request.params.id);
      const sent = await send(request.raw, basename(file), { root: dirname(file), acceptRanges: true, cacheControl: false });
      if (sent.type === 'error') {
        sent.stream.destroy();
        if (sent.statusCode === 416) {
          reply.header('content-range', sent.headers['Content-Range'] ?? '');
          throw new AppError(416, 'range_not_satisfiable', 'the Range header asks for bytes outside the audio file');
        }
        throw new AppError(404, 'no_audio', 'the stored audio of this recording is missing');
      }
      return reply.status(sent.statusCode).headers({ ...sent.headers, 'cache-control': 'private, max-age=3600' }).send(sent.stream);
    },
  });
};

