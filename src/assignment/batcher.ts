/**
 * Group commit for new leads. Concurrent requests of one tenant that reach the database at the
 * same moment (leads to assign and leads for the pool) are written by one `repo.assignMany` statement: one round trip and one WAL flush
 * for the batch instead of one per lead. Nothing waits on purpose: a batch leaves as soon as
 * fewer than `MAX_IN_FLIGHT` batches are running, so a lone request goes out alone, and requests
 * that arrive while batches run go together in the next one.
 *
 * A batch holds decisions made on the same rules/reps counters. If a batch fails on a unique
 * violation (a lead id posted twice), its leads are retried one by one, so only the duplicate
 * gets the error.
 */
import type { Db } from '../platform/db.js';
import { isUniqueViolation } from '../platform/db.js';
import * as repo from './repo.js';

const MAX_IN_FLIGHT = 4;
const MAX_BATCH = 100;

export interface ItemResult {
  versions: repo.BatchResult['versions'];
  assigned: boolean;
  rep: repo.RepSeen | null;
  eventId: string | null;
}

export interface PoolResult {
  versions: repo.BatchResult['versions'];
  pooled: boolean;
}

type Waiting =
  | { kind: 'assign'; versions: { reps: number; rules: number }; item: repo.AssignItem; resolve: (r: ItemResult) => void; reject: (err: unknown) => void }
  | { kind: 'pool'; versions: { reps: number; rules: number }; item: repo.PoolItem; resolve: (r: PoolResult) => void; reject: (err: unknown) => void };

interface Lane {
  waiting: Waiting[];
  inFlight: number;
  scheduled: boolean;
}

const lanes = new WeakMap<Db, Map<string, Lane>>();

function lane(db: Db, tenantId: string): Lane {
  let m = lanes.get(db);
  if (!m) lanes.set(db, (m = new Map()));
  let l = m.get(tenantId);
  if (!l) m.set(tenantId, (l = { waiting: [], inFlight: 0, scheduled: false }));
  return l;
}

/** Assigns one lead, in a batch with whatever else is waiting. */
export function assignInBatch(db: Db, tenantId: string, versions: { reps: number; rules: number }, item: repo.AssignItem): Promise<ItemResult> {
  return new Promise<ItemResult>((resolve, reject) => enqueue(db, tenantId, { kind: 'assign', versions, item, resolve, reject }));
}

/** Files one lead in the pool, in a batch with whatever else is waiting. */
export function poolInBatch(db: Db, tenantId: string, versions: { reps: number; rules: number }, item: repo.PoolItem): Promise<PoolResult> {
  return new Promise<PoolResult>((resolve, reject) => enqueue(db, tenantId, { kind: 'pool', versions, item, resolve, reject }));
}

function enqueue(db: Db, tenantId: string, w: Waiting): void {
  const l = lane(db, tenantId);
  l.waiting.push(w);
  if (l.scheduled) return;
  l.scheduled = true;
  // After this turn's other I/O callbacks: requests parsed in the same turn leave together.
  setImmediate(() => {
    l.scheduled = false;
    pump(db, tenantId, l);
  });
}

function pump(db: Db, tenantId: string, l: Lane): void {
  while (l.inFlight < MAX_IN_FLIGHT && l.waiting.length > 0) {
    const first = l.waiting[0]!.versions;
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const w of l.waiting) {
      if (batch.length < MAX_BATCH && w.versions.reps === first.reps && w.versions.rules === first.rules) batch.push(w);
      else rest.push(w);
    }
    l.waiting = rest;
    l.inFlight++;
    void run(db, tenantId, first, batch).finally(() => {
      l.inFlight--;
      pump(db, tenantId, l);
    });
  }
}

async function run(db: Db, tenantId: string, versions: { reps: number; rules: number }, batch: Waiting[]): Promise<void> {
  try {
    const assigns = batch.filter((w) => w.kind === 'assign');
    const pools = batch.filter((w) => w.kind === 'pool');
    const res = await repo.assignMany(db, tenantId, versions, assigns.map((w) => w.item), pools.map((w) => w.item));
    assigns.forEach((w, i) => w.resolve({ versions: res.versions, ...res.items[i]! }));
    for (const w of pools) w.resolve({ versions: res.versions, pooled: res.pooled });
  } catch (err) {
    if (batch.length > 1 && isUniqueViolation(err)) {
      // One of them exists already (or is in the batch twice): each on its own, so only it fails.
      for (const w of batch) await run(db, tenantId, versions, [w]);
      return;
    }
    for (const w of batch) w.reject(err);
  }
}
