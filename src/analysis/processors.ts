import { PermanentError, type Processors } from '../platform/queue.js';
import { analysisFailed, analyzeRecording, type AnalysisDeps, type AnalysisJob } from './service.js';

export function analysisProcessors(deps: AnalysisDeps): Processors {
  return {
    analyze: async (job) => {
      const data = job.data as unknown as AnalysisJob;
      try {
        await analyzeRecording(deps, data, job.isLastAttempt);
      } catch (err) {
        const permanent = err instanceof PermanentError;
        if (permanent || job.isLastAttempt) {
          const message = (err as Error).message;
          await analysisFailed(deps, data, permanent ? err.code : 'analysis_failed', permanent ? message : `${message} (after ${job.attempt} attempts)`);
        }
        throw err;
      }
    },
  };
}
