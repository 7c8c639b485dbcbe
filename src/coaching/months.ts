/** Calendar months in UTC: health is scored per rep per month, named `YYYY-MM`. */

export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** First instant of the month containing `d` (UTC). */
export function monthStart(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

export function addMonths(month: Date, n: number): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + n, 1));
}

export const monthName = (month: Date): string => month.toISOString().slice(0, 7);

export const parseMonth = (name: string): Date => new Date(`${name}-01T00:00:00Z`);

/** `YYYY-MM-DD` of a month's first day, as a Postgres `date` parameter. */
export const monthDate = (month: Date): string => month.toISOString().slice(0, 10);

/** A month is closed once its last instant has passed. */
export const isClosed = (month: Date, now = new Date()): boolean => addMonths(month, 1).getTime() <= now.getTime();
