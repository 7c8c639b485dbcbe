// The `maps` queue carries both CPU-heavy inquiry jobs: decision maps and theme-cache refreshes.
import type { JobContext } from '../platform/queue.js';
import { buildMap, requeueMaps, type InquiryDeps } from './service.js';
import { computeThemeSet, freshThemeSet, requeueThemeSets, type ThemesJob } from './theme-cache.js';

type InquiryJobData = ThemesJob | { kind?: 'map'; tenantId: string; mapId: string };

export async function inquiryJob(deps: InquiryDeps, job: JobContext<any>): Promise<void> {
  const data = job.data as InquiryJobData;
  if (data.kind === 'themes') return computeThemeSet(deps, data, job.isLastAttempt);
  // a map reuses the cached themes of its window when they are fresh
  return buildMap(deps, data, (tenantId, industry, days, now) => freshThemeSet(deps, tenantId, industry, days, now));
}

export async function requeueInquiryJobs(deps: InquiryDeps): Promise<void> {
  await requeueMaps(deps);
  await requeueThemeSets(deps);
}
