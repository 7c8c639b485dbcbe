/**
 * The CPU-heavy part of a themes refresh or a decision map, as one task on plain data: vectorise
 * the window's texts (theme-vectors.ts), then choose k and cluster (themes.ts). Runs in a worker
 * thread of the theme pool (theme-pool.ts) so the API's event loop stays free; the same function
 * runs inline in the bench and the eval, and gives the same result for the same input and seed.
 */
import type { MessagePort } from 'node:worker_threads';
import { clusterThemes, type ClusterThemesResult, type ThemeItem } from './themes.js';
import { themeVectors } from './theme-vectors.js';

export interface ClusterWindowTask {
  items: ThemeItem[];
  seed: number;
  /** Receives the percentage done (a number) at each stage; optional. */
  progress?: MessagePort;
}

/** Percentage a themes job reports once the vectors are built (clustering is the longer half). */
export const VECTORISED_PROGRESS = 40;

export function clusterWindow(task: ClusterWindowTask): ClusterThemesResult {
  const vectors = themeVectors(task.items.map((i) => i.text), { seed: task.seed });
  task.progress?.postMessage(VECTORISED_PROGRESS);
  return clusterThemes(task.items, vectors, { seed: task.seed });
}
