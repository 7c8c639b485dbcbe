import { createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.js';
import type { Storage } from '../platform/storage.js';

export interface ReceivedUpload {
  tempPath: string;
  filename: string;
  sizeBytes: number;
  fields: Record<string, string>;
}

/** Names a client may send; anything that could steer a path or a log line is refused. */
export function checkFilename(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (name.length > 255 || /[/\\\u0000-\u001f\u007f]/.test(name) || name === '.' || name.includes('..')) {
    throw new AppError(400, 'invalid_filename', 'filename must be a plain file name (no path separators, "..", or control characters)');
  }
}

/**
 * Streams the multipart `file` part to a temp file (never held in memory) and collects the text
 * fields, which may come before or after the file. On any error the temp file is removed.
 */
export async function receiveUpload(request: FastifyRequest, storage: Storage, maxBytes: number): Promise<ReceivedUpload> {
  const fields: Record<string, string> = {};
  let file: Omit<ReceivedUpload, 'fields'> | undefined;
  let sink: WriteStream | undefined;
  try {
    // preservePath: busboy otherwise cuts the client's name down to its last path segment, so
    // "../../x.mp3" would arrive as "x.mp3" and slip past checkFilename.
    const parts = request.parts({ preservePath: true, limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 4096, parts: 30 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string') throw new AppError(400, 'validation_error', `field ${part.fieldname} must be text`);
        fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new AppError(400, 'validation_error', `unexpected file field "${part.fieldname}"; send the recording as "file"`);
      }
      checkFilename(part.filename);
      const tempPath = await storage.tempFile();
      file = { tempPath, filename: part.filename, sizeBytes: 0 };
      sink = createWriteStream(tempPath);
      await pipeline(part.file, sink);
      if (part.file.truncated) throw tooLarge(maxBytes);
      file.sizeBytes = (await stat(tempPath)).size;
    }
  } catch (err) {
    // A body cut off early can fail the pipeline while the temp file is still being opened: wait
    // for the stream to close, or the file would appear after it was removed.
    if (sink && !sink.closed) await once(sink, 'close').catch(() => undefined);
    if (file) await storage.remove(file.tempPath);
    throw mapMultipartError(err, maxBytes);
  }
  if (!file) throw new AppError(400, 'validation_error', 'multipart body has no "file" part');
  if (file.sizeBytes === 0) {
    await storage.remove(file.tempPath);
    throw new AppError(400, 'empty_file', 'the uploaded file is empty');
  }
  return { ...file, fields };
}

// Limits under 10 MB keep two significant digits, so MAX_UPLOAD_MB=0.05 is not reported as "0 MB".
const limitMb = (maxBytes: number) => {
  const mb = maxBytes / 1024 / 1024;
  return mb >= 10 ? Math.round(mb) : Number(mb.toPrecision(2));
};

const tooLarge = (maxBytes: number) =>
  new AppError(413, 'file_too_large', `the file is larger than the ${limitMb(maxBytes)} MB limit (MAX_UPLOAD_MB)`);

function mapMultipartError(err: unknown, maxBytes: number): unknown {
  if (err instanceof AppError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new AppError(400, 'too_many_parts', 'send one "file" part and at most 20 text fields');
  }
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_MULTIPART_INVALID_CONTENT_TYPE') {
    return new AppError(415, 'unsupported_media_type', 'expected multipart/form-data');
  }
  if (code === 'FST_PROTO_VIOLATION') {
    return new AppError(400, 'validation_error', 'a multipart field name is not allowed (prototype property)');
  }
  if (code === 'FST_INVALID_JSON_FIELD_ERROR') {
    return new AppError(400, 'validation_error', 'a multipart field declared as application/json is not valid JSON; send fields as plain text');
  }
  if (code === 'FST_MP_PREMATURE_CLOSE') {
    return new AppError(400, 'malformed_multipart', 'the request ended before the multipart body was complete');
  }
  // @fastify/busboy (dicer) says "Unexpected end of multipart data" / "... terminated early ...";
  // busboy 1.x says "Unexpected end of form".
  if (
    err instanceof Error &&
    /Unexpected end of (form|multipart data)|terminated early|Malformed part header|Multipart: Boundary not found/i.test(err.message)
  ) {
    return new AppError(400, 'malformed_multipart', `malformed multipart body: ${err.message}`);
  }
  return err;
}
