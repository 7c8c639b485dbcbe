// Entry file of the theme pool's worker threads (theme-pool.ts). The service runs TypeScript
// through tsx with no build step, and a worker thread starts as plain Node (inside vitest, too):
// so the worker registers tsx's loader first, then loads the TypeScript task module.
// Under `tsx src/server.ts` tsx is already active in the thread; registering again is harmless.
import { register } from 'tsx/esm/api';

register();
const { clusterWindow } = await import('./theme-worker.ts');

export default clusterWindow;
