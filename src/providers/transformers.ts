import path from 'node:path';

/**
 * Loads a transformers.js pipeline from `<modelsDir>/<model>` only: remote loading and the
 * cache are switched off, so nothing is fetched from a hub at run time (use `npm run models:pull`).
 * The promise is cached; a failed load is forgotten so a later call can try again.
 */
export function localPipeline<T>(
  task: 'automatic-speech-recognition' | 'feature-extraction',
  opts: { modelsDir: string; model: string; dtype: string },
  onError: (message: string) => Error,
): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= (async () => {
      const { pipeline, env } = await import('@huggingface/transformers');
      // transformers.js resolves `<localModelPath>/<model id>/<file>`; everything else is switched off.
      env.localModelPath = path.resolve(opts.modelsDir);
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.useFSCache = false;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const p = await (pipeline as any)(task, opts.model, { dtype: opts.dtype, local_files_only: true });
      return p as T;
    })().catch((err: unknown) => {
      loading = undefined;
      throw onError(errorText(err));
    });
    return loading;
  };
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
