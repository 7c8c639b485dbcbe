import { getAnalysis } from '../analysis/service.js';
import type { AuthContext } from '../platform/auth.js';
import { AppError, notFound } from '../platform/errors.js';
import { getRecording, type RecordingDeps } from '../recordings/service.js';
import { highlightTranscript } from './highlight.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the call page shows: the recording, whether it has audio, the analysis, the marked-up transcript. */
export async function callPage(deps: RecordingDeps, auth: AuthContext, id: string) {
  if (!UUID.test(id)) throw notFound('recording');
  const recording = await getRecording(deps, auth.tenantId, id);
  let analysis = null;
  try {
    analysis = (await getAnalysis(deps.db, auth.tenantId, id)).analysis;
  } catch (err) {
    if (!(err instanceof AppError && err.statusCode === 409)) throw err;
  }
  const audio =
    recording.source === 'import'
      ? 'none'
      : recording.status === 'transcribed' || recording.status === 'analyzed' || (recording.status === 'processing' && recording.stage === 'transcribe')
        ? 'ready'
        : 'pending';
  const segments = highlightTranscript(recording.transcript?.segments ?? [], analysis?.concerns ?? []);
  return { recording, analysis, audio, segments };
}
