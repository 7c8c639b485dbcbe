import { z } from 'zod';

export const languageSchema = z.enum(['zh', 'en', 'auto']);
export const channelLayoutSchema = z.enum(['mixed', 'rep-left', 'rep-right']);
const idField = z.string().trim().min(1).max(200);
const roleSchema = z.enum(['rep', 'customer', 'unknown']);

/** Text fields that travel with an uploaded file (multipart). */
export const uploadFieldsSchema = z
  .object({
    externalId: idField.optional(),
    leadId: idField.optional(),
    repId: idField.optional(),
    language: languageSchema.default('auto'),
    channelLayout: channelLayoutSchema.default('mixed'),
  })
  .strict();
export type UploadFields = z.infer<typeof uploadFieldsSchema>;

export const segmentInputSchema = z.object({
  speaker: z.string().max(200).optional(),
  role: roleSchema.optional(),
  start: z.number().finite().min(0),
  end: z.number().finite().min(0),
  text: z.string().max(20_000),
});

/** JSON import of a ready transcript: segments, or WebVTT / SRT text. */
export const importBodySchema = z
  .object({
    transcript: z.union([z.string().min(1).max(5_000_000), z.array(segmentInputSchema).min(1).max(20_000)]),
    format: z.enum(['vtt', 'srt', 'segments']).optional(),
    speakerRoles: z.record(z.string().max(200), roleSchema).optional(),
    externalId: idField.optional(),
    leadId: idField.optional(),
    repId: idField.optional(),
    language: languageSchema.default('auto'),
    channelLayout: channelLayoutSchema.default('mixed'),
  })
  .strict();
export type ImportBody = z.infer<typeof importBodySchema>;

export const recordingIdParams = z.object({ id: z.uuid({ message: 'id must be a recording id (UUID)' }) });

export const acceptedSchema = z.object({
  id: z.string(),
  status: z.string(),
  duplicate: z.boolean().optional(),
});

export const segmentSchema = z.object({
  speaker: z.string(),
  role: roleSchema,
  start: z.number(),
  end: z.number(),
  text: z.string(),
});

export const recordingSchema = z.object({
  id: z.string(),
  externalId: z.string().nullable(),
  leadId: z.string().nullable(),
  repId: z.string().nullable(),
  source: z.enum(['upload', 'import']),
  status: z.enum(['queued', 'processing', 'transcribed', 'analyzed', 'failed']),
  stage: z.string().nullable(),
  progress: z.number().int().min(0).max(100),
  language: z.string(),
  detectedLanguage: z.string().nullable(),
  channelLayout: channelLayoutSchema,
  durationSec: z.number().nullable(),
  originalFilename: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  transcript: z.object({ segments: z.array(segmentSchema) }).nullable(),
});
export type RecordingView = z.infer<typeof recordingSchema>;
