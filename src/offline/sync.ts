/**
 * The sync engine: sends the current user's pending scans of a log in batches, marks synced only what the server
 * acknowledged, and retries with backoff. All its state is in IndexedDB, so a reload resumes it, and a batch sent
 * twice is harmless (the server is idempotent by entry id). A log is a count session's, or a delivery's (receiving):
 * `sessionId` names it, and `send` is the one procedure that takes its batches.
 */
import {
  getDeviceIdentity,
  pendingCount,
  pendingScansOf,
  sessionScans,
  setLastSync,
  setReceipt,
  type OfflineDatabase,
  type ScanRecord,
  type SyncReceipt,
} from './db';
import type { RouterInputs, RouterOutputs } from '~/lib/trpc/react';

/** Counting's sync mutation types, so the device and the server cannot drift apart; a receipt's batch is a subset. */
export type SyncRequest = RouterInputs['inventory']['sync'];
export type SyncEntry = SyncRequest['entries'][number];
type CountAnswer = RouterOutputs['inventory']['sync'];
/** What the engine reads of an answer: counting's, or a receipt's (which has no duplicates or unmatched lists). */
export type SyncResponse = Pick<CountAnswer, 'accepted' | 'serverCount' | 'lastSeq' | 'syncedAt'> &
  Partial<Pick<CountAnswer, 'duplicates' | 'unmatched'>> & { rejected: { id: string; reason: string; message: string }[] };

export type SyncSend = (request: SyncRequest) => Promise<SyncResponse>;

/** What a failed send means for the loop. */
export type SyncFailure =
  | { kind: 'unauthorized' }
  | { kind: 'session_closed'; acknowledged: string[]; message: string }
  | { kind: 'forbidden'; message: string }
  /** The server does not take this tablet's identity (device_secret_mismatch): its stored secret was altered. */
  | { kind: 'device_refused'; message: string }
  /** The server refuses the batch's shape (BAD_REQUEST): this app is older or newer than the server; reload it. */
  | { kind: 'update_needed'; message: string }
  | { kind: 'retry'; message: string };

export type SyncOutcome =
  | { status: 'synced'; sent: number; serverCount: number; syncedAt: Date }
  | { status: 'idle' }
  | { status: 'login_needed' }
  | { status: 'session_closed'; message: string }
  | { status: 'forbidden'; message: string }
  | { status: 'device_refused'; message: string }
  | { status: 'update_needed'; message: string }
  | { status: 'failed'; message: string };

type ErrorShape = { message?: string; data?: { code?: string; reason?: string | null; details?: { acknowledged?: string[] } | null } };

/** Reads a tRPC error (or anything thrown by `send`). Anything without a server answer is worth retrying. */
export function classifySyncError(error: unknown): SyncFailure {
  const e = (error ?? {}) as ErrorShape;
  const code = e.data?.code;
  const message = e.message ?? String(error);
  if (code === 'UNAUTHORIZED') return { kind: 'unauthorized' };
  if (code === 'PRECONDITION_FAILED' && (e.data?.reason === 'session_closed' || e.data?.reason === 'receipt_closed')) {
    return { kind: 'session_closed', acknowledged: e.data.details?.acknowledged ?? [], message };
  }
  if (code === 'FORBIDDEN' && e.data?.reason === 'device_secret_mismatch') return { kind: 'device_refused', message };
  if (code === 'FORBIDDEN' || code === 'NOT_FOUND') return { kind: 'forbidden', message };
  if (code === 'BAD_REQUEST') return { kind: 'update_needed', message };
  return { kind: 'retry', message };
}

export type BackoffOptions = { baseMs: number; maxMs: number };

/** Exponential backoff with jitter: somewhere in [half, all] of base·2^attempt, capped. */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export const SYNC_BATCH_SIZE = 500;

/** The reject reason of a scan that reached the server after its session was finalized or cancelled. */
export const SESSION_CLOSED = 'session_closed';

const toWire = (s: ScanRecord): SyncEntry => ({
  id: s.id,
  ean: s.ean,
  quantity: s.quantity,
  zone: s.zone,
  countedAt: s.countedAt,
  seq: s.seq,
  ...(s.replaces ? { replaces: s.replaces } : {}),
  ...(s.recount ? { recount: true } : {}),
});

/**
 * Applies the server's answer: acknowledged ids become synced, rejected ones keep the reason; the rest stay pending.
 * The batch's records are in hand, so they are written back whole in one bulk put (a cursor over 500 ids costs a
 * round trip per row).
 */
async function applyResponse(db: OfflineDatabase, batch: ScanRecord[], response: { accepted: string[]; rejected: { id: string; reason: string; message: string }[] }) {
  const inBatch = new Map(batch.map((s) => [s.id, s]));
  const changed = new Map<string, ScanRecord>();
  for (const id of response.accepted) {
    const scan = inBatch.get(id);
    if (scan) changed.set(id, { ...scan, status: 'synced' });
  }
  let rejected = 0;
  for (const r of response.rejected) {
    const scan = inBatch.get(r.id);
    if (!scan) continue;
    changed.set(r.id, { ...scan, status: 'rejected', rejectReason: r.reason, rejectMessage: r.message });
    rejected += 1;
  }
  if (changed.size > 0) await db.scans.bulkPut([...changed.values()]);
  return { accepted: changed.size - rejected, rejected };
}

export type SyncOnceOptions = { db: OfflineDatabase; sessionId: string; userId: string; send: SyncSend; batchSize?: number };

/**
 * Drains the user's pending scans of the session, batch by batch (by seq). Other users' scans stay queued for
 * them; they still count in the pending number reported to the server, so finalize waits for them.
 */
export async function syncOnce({ db, sessionId, userId, send, batchSize = SYNC_BATCH_SIZE }: SyncOnceOptions): Promise<SyncOutcome> {
  const { deviceId, deviceSecret } = await getDeviceIdentity(db);
  // Set once the server said the session is closed: the rest of the scans are still sent, only to learn which of them
  // it had stored before the close (acknowledged); every other one is marked as not counted, never left pending.
  let closed: string | null = null;
  let sent = 0;
  let last: SyncResponse | null = null;
  let reportedPending: number | null = null;
  let skip = new Set<string>();
  for (;;) {
    const candidates = await pendingScansOf(db, sessionId, userId, batchSize + skip.size);
    const batch = candidates.filter((s) => !skip.has(s.id)).slice(0, batchSize);
    const totalPending = await pendingCount(db, sessionId);
    if (closed !== null && batch.length === 0) return { status: 'session_closed', message: closed };
    if (batch.length === 0) {
      // Nothing of ours left: tell the server what the device still holds if it does not know it yet.
      if (reportedPending === totalPending) break;
      if (reportedPending === null && totalPending === 0 && sent === 0) {
        return { status: 'idle' };
      }
    }
    const request: SyncRequest = { sessionId, deviceId, deviceSecret, pendingCount: Math.max(0, totalPending - batch.length), entries: batch.map(toWire) };
    let response: SyncResponse;
    try {
      response = await send(request);
    } catch (error) {
      const failure = classifySyncError(error);
      switch (failure.kind) {
        case 'unauthorized':
          return { status: 'login_needed' };
        case 'session_closed': {
          const stored = new Set(failure.acknowledged);
          const notCounted = batch.filter((s) => !stored.has(s.id)).map((s) => ({ id: s.id, reason: SESSION_CLOSED, message: failure.message }));
          await applyResponse(db, batch, { accepted: failure.acknowledged, rejected: notCounted });
          if (batch.length === 0) return { status: 'session_closed', message: failure.message };
          closed = failure.message;
          continue;
        }
        case 'forbidden':
          return { status: 'forbidden', message: failure.message };
        case 'device_refused':
          return { status: 'device_refused', message: failure.message };
        case 'update_needed':
          return { status: 'update_needed', message: failure.message };
        default:
          return { status: 'failed', message: failure.message };
      }
    }
    reportedPending = request.pendingCount;
    last = response;
    const applied = await applyResponse(db, batch, response);
    sent += applied.accepted;
    // An entry the server neither took nor refused would come back first forever; leave it for the next round.
    const answered = new Set([...response.accepted, ...response.rejected.map((r) => r.id)]);
    skip = new Set([...skip, ...batch.filter((s) => !answered.has(s.id)).map((s) => s.id)]);
    await setLastSync(db, sessionId, userId, { at: new Date(response.syncedAt).toISOString(), serverCount: response.serverCount, lastSeq: response.lastSeq });
    if (batch.length === 0) break;
  }
  if (!last) return { status: 'idle' };
  if (skip.size === 0 && (await pendingCount(db, sessionId)) === 0) await writeReceipt(db, sessionId, userId, deviceId, last);
  return { status: 'synced', sent, serverCount: last.serverCount, syncedAt: new Date(last.syncedAt) };
}

async function writeReceipt(db: OfflineDatabase, sessionId: string, userId: string, deviceId: string, last: SyncResponse) {
  const local = (await sessionScans(db, sessionId)).filter((s) => s.deviceId === deviceId && s.status === 'synced').length;
  const receipt: SyncReceipt = { sessionId, userId, deviceId, serverCount: last.serverCount, localCount: local, lastSeq: last.lastSeq, at: new Date(last.syncedAt).toISOString() };
  await setReceipt(db, receipt);
}

export type SyncState = {
  phase: 'idle' | 'syncing' | 'waiting' | 'login_needed' | 'session_closed' | 'forbidden' | 'device_refused' | 'update_needed';
  lastOutcome: SyncOutcome | null;
  /** When the next retry runs (after a failure). */
  retryAt: number | null;
  attempt: number;
};

export type SyncLoopOptions = SyncOnceOptions & {
  backoff?: BackoffOptions;
  /** How often to look for new scans while nothing else wakes the loop. */
  intervalMs?: number;
  isOnline?: () => boolean;
  random?: () => number;
  onState?: (state: SyncState) => void;
};

/**
 * The background loop around `syncOnce`: runs on start, on `kick()` (a new scan, the network back), on a timer;
 * backs off after failures; stops asking once the login is gone or the session is closed, until `kick()`.
 */
export class SyncLoop {
  private state: SyncState = { phase: 'idle', lastOutcome: null, retryAt: null, attempt: 0 };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private again = false;
  private stopped = true;

  constructor(private readonly options: SyncLoopOptions) {}

  get current(): SyncState {
    return this.state;
  }

  start() {
    this.stopped = false;
    this.kick();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sync now (coalesced with a run in flight). Also resumes after "login needed". */
  kick() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.run();
  }

  /** Runs one sync now and resolves with its outcome (the bench and tests wait on it). */
  async flush(): Promise<SyncOutcome> {
    while (this.running) await new Promise((r) => setTimeout(r, 20));
    return this.run();
  }

  private set(patch: Partial<SyncState>) {
    this.state = { ...this.state, ...patch };
    this.options.onState?.(this.state);
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, ms);
  }

  private async run(): Promise<SyncOutcome> {
    const { backoff = { baseMs: 1_000, maxMs: 60_000 }, intervalMs = 15_000, isOnline = () => true, random = Math.random } = this.options;
    if (!isOnline()) {
      const outcome: SyncOutcome = { status: 'failed', message: 'offline' };
      this.set({ phase: 'waiting', lastOutcome: outcome, retryAt: null });
      return outcome;
    }
    this.running = true;
    this.set({ phase: 'syncing', retryAt: null });
    let outcome: SyncOutcome;
    try {
      outcome = await syncOnce(this.options);
    } catch (error) {
      outcome = { status: 'failed', message: (error as Error).message };
    }
    this.running = false;
    switch (outcome.status) {
      case 'failed': {
        const delay = backoffDelay(this.state.attempt, backoff, random);
        this.set({ phase: 'waiting', lastOutcome: outcome, attempt: this.state.attempt + 1, retryAt: Date.now() + delay });
        this.schedule(delay);
        break;
      }
      case 'login_needed':
      case 'session_closed':
      case 'forbidden':
      case 'device_refused':
      case 'update_needed':
        this.set({ phase: outcome.status, lastOutcome: outcome, attempt: 0 });
        break;
      default:
        this.set({ phase: 'idle', lastOutcome: outcome, attempt: 0 });
        if (this.again) {
          this.again = false;
          this.schedule(0);
        } else this.schedule(intervalMs);
    }
    return outcome;
  }
}
