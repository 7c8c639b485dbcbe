import type { Processors } from '../platform/queue.js';
import { monthTick, recomputeDirty } from './interventions.js';
import { generateCallSuggestions, type CoachingDeps } from './suggestions.js';

type CoachingJob = { kind: 'recompute'; tenantId: string } | { kind: 'call'; tenantId: string; recordingId: string } | { kind: 'tick' };

/** Queue "coaching": health recompute after ingest, suggestions after analysis, the monthly close. */
export function coachingProcessors(deps: CoachingDeps): Processors {
  return {
    coaching: async (job) => {
      const data = job.data as unknown as CoachingJob;
      if (data.kind === 'recompute') await recomputeDirty(deps, data.tenantId);
      else if (data.kind === 'call') await generateCallSuggestions(deps, data.tenantId, data.recordingId);
      else if (data.kind === 'tick') await monthTick(deps);
    },
  };
}
