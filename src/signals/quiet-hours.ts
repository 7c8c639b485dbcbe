/** Minutes since local midnight in `timeZone` at `at`. */
function localMinutes(at: Date, timeZone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { minutes: get('hour') * 60 + get('minute'), seconds: get('second') };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When quiet hours (local `start`–`end`, possibly across midnight) cover `at`, the instant they end;
 * otherwise undefined. A push that fires then waits until that instant: deferred, not dropped.
 */
export function quietUntil(at: Date, timeZone: string, quiet: { start: string; end: string } | null): Date | undefined {
  if (!quiet) return undefined;
  const { minutes, seconds } = localMinutes(at, timeZone);
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return undefined;
  const waitMin = (end - minutes + 1440) % 1440;
  return new Date(at.getTime() + waitMin * 60_000 - seconds * 1000 - (at.getTime() % 1000));
}
