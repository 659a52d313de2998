'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { parseScan, pluCandidates, scaleLabelQuantity, type ScaleBarcodeLayout } from '~/lib/scale-barcode';
import { isStorableCountQuantity } from '~/lib/count-quantity';
import { TRPCClientError } from '@trpc/client';
import { describeError } from '~/lib/trpc/errors';
import { api } from '~/lib/trpc/react';
import {
  appendScan,
  findProduct,
  findProductByPlu,
  getDeviceId,
  getLastSync,
  getProductsMeta,
  getReceipt,
  isStale,
  offlineDb,
  pendingCount,
  refreshProducts,
  requestPersistentStorage,
  storageNearlyFull,
  sessionScans,
  type LastSync,
  type OfflineProduct,
  type PersistenceState,
  type ProductsMeta,
  type ScanRecord,
  type SyncReceipt,
} from '~/offline/db';
import { SyncLoop, type SyncOutcome, type SyncSend, type SyncState } from '~/offline/sync';
import { ScanTally, type ScanValue, type TallyView } from '~/offline/tally';

export type ScanFeedback =
  | {
      ok: true;
      scan: ScanRecord;
      name: string | null;
      /** The product's id and approved photo, for its thumbnail (null: unknown, or a table downloaded before photos). */
      productId: string | null;
      photoId: string | null;
      displayQuantity: number;
      unit: string | null;
      total: number;
      unknown: boolean;
    }
  | { ok: false; message: string };

type Options = {
  /** The log: a count session's id, or a receipt's. */
  sessionId: string;
  storeId: string | null;
  userId: string;
  layout: ScaleBarcodeLayout | null;
  /** Who takes the log's batches: counting's `inventory.sync` unless given (receiving sends to `receiving.sync`). */
  send?: SyncSend;
};

/**
 * What the bench reads: persist times around the IndexedDB write, a way to wait for a full sync, and the
 * baseline — the same write with nothing else around it (another session's log, no screen update). Only a
 * build made with NEXT_PUBLIC_BENCH_HOOKS=1 (bench/offline.ts makes one) has them.
 */
// Compared where it is used, not through a module constant: Next inlines the value (next.config.ts), and only a
// literal test lets the minifier drop the hooks from every other build.
// eslint-disable-next-line no-restricted-properties -- a build-time constant, not runtime configuration
const benchHooks = process.env.NEXT_PUBLIC_BENCH_HOOKS === '1';
type BenchHooks = {
  persistMs: number[];
  scan: (code: string) => Promise<ScanFeedback>;
  baselinePersist: (code: string) => Promise<number>;
  flush: () => Promise<SyncOutcome | null>;
  pending: () => Promise<number>;
};
declare global {
  interface Window {
    __offlineCounter?: BenchHooks;
  }
}

function useOnline() {
  const [online, setOnline] = useState(true);
  useEffect(() => {
    setOnline(navigator.onLine);
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** Quantity a scan stands for on screen (a scale label: kg or price ÷ unit price per label). */
function displayQuantity(scan: Pick<ScanRecord, 'ean' | 'quantity'>, product: OfflineProduct | undefined, layout: ScaleBarcodeLayout | null): number {
  const parsed = parseScan(scan.ean, layout);
  if (parsed.ok && parsed.scale && (!product || product.ean !== parsed.ean)) {
    const per = scaleLabelQuantity(parsed.scale, product?.price);
    if (per !== null) return Math.round(scan.quantity * per * 1000) / 1000;
  }
  return scan.quantity;
}

/**
 * A scanning screen's state (counting, receiving): the scan log from IndexedDB, running counts per product, the
 * products table, and the sync loop. A scan is acknowledged only after its row is committed.
 */
export function useOfflineCounter({ sessionId, storeId, userId, layout, send }: Options) {
  const utils = api.useUtils();
  const online = useOnline();
  const [ready, setReady] = useState(false);
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const [tallyView, setTallyView] = useState<TallyView>({ lines: [], recent: [], rejected: [], size: 0 });
  // null until read from IndexedDB: a screen that says 0 before it knows would tell the clerk all was sent.
  const [pending, setPending] = useState<number | null>(null);
  const [lastSync, setLastSyncState] = useState<LastSync | undefined>();
  const [receipt, setReceipt] = useState<SyncReceipt | undefined>();
  const [persistence, setPersistence] = useState<PersistenceState | null>(null);
  const [nearlyFull, setNearlyFull] = useState(false);
  useEffect(() => {
    const check = () => void storageNearlyFull().then(setNearlyFull);
    check();
    const timer = setInterval(check, 60_000);
    return () => clearInterval(timer);
  }, []);
  const [productsMeta, setProductsMeta] = useState<ProductsMeta | undefined>();
  const [productsError, setProductsError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const [syncState, setSyncState] = useState<SyncState | null>(null);
  // Reads of this device's IndexedDB that failed in the background, by kind: each is cleared only by a later
  // success of the same read (opening the page is only retried by reloading it).
  const [readErrors, setReadErrors] = useState<Partial<Record<'open' | 'log' | 'status', string>>>({});
  const readFailed = useCallback(
    (kind: 'open' | 'log' | 'status') => (error: unknown) =>
      setReadErrors((errors) => ({ ...errors, [kind]: error instanceof Error ? error.message : String(error) })),
    [],
  );
  const readWorked = useCallback((kind: 'log' | 'status') => setReadErrors((errors) => (errors[kind] === undefined ? errors : { ...errors, [kind]: undefined })), []);
  const readError = readErrors.open ?? readErrors.log ?? readErrors.status;
  const storageReadError =
    readError === undefined
      ? null
      : `Não foi possível ler as leituras guardadas neste tablet (${readError}). Recarregue a página; o que já foi salvo continua no tablet.`;
  const productCache = useRef(new Map<string, OfflineProduct | undefined>());
  const loopRef = useRef<SyncLoop | null>(null);
  // The first `send` given stays for the log's lifetime (a new function each render must not restart the loop).
  const sendRef = useRef(send);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const kickTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const deviceRef = useRef<string | null>(null);
  const layoutRef = useRef(layout);
  layoutRef.current = layout;
  const tally = useRef<ScanTally | null>(null);
  tally.current ??= new ScanTally((s): ScanValue => {
    const product = productCache.current.get(s.ean);
    return { key: product?.ean ?? s.ean, name: product?.name ?? null, unit: product?.unit ?? null, quantity: displayQuantity(s, product, layoutRef.current) };
  });

  /** Runs after every write already queued, and before any queued later: the log and the tally never disagree. */
  const serialized = useCallback(<T,>(task: () => Promise<T>): Promise<T> => {
    const run = queue.current.then(task);
    queue.current = run.catch(() => undefined);
    return run;
  }, []);

  const refreshStatus = useCallback(async () => {
    const db = offlineDb();
    const [p, l, r] = await Promise.all([pendingCount(db, sessionId), getLastSync(db, sessionId, userId), getReceipt(db, sessionId, userId)]);
    setPending(p);
    setLastSyncState(l);
    setReceipt(r);
  }, [sessionId, userId]);

  const lookup = useCallback(
    async (ean: string): Promise<OfflineProduct | undefined> => {
      if (!storeId) return undefined;
      if (productCache.current.has(ean)) return productCache.current.get(ean);
      const db = offlineDb();
      let product = await findProduct(db, storeId, ean);
      const parsed = parseScan(ean, layoutRef.current);
      if (!product && parsed.ok && parsed.scale) product = await findProductByPlu(db, storeId, pluCandidates(parsed.scale.plu));
      productCache.current.set(ean, product);
      return product;
    },
    [storeId],
  );

  /** Rereads the session's log (statuses change with each sync) and rebuilds the tally, names resolved first. */
  const reloadLog = useCallback(
    () =>
      serialized(async () => {
        const all = await sessionScans(offlineDb(), sessionId);
        await Promise.all([...new Set(all.map((s) => s.ean))].filter((ean) => !productCache.current.has(ean)).map(lookup));
        setTallyView(tally.current!.reset(all));
        readWorked('log');
      }),
    [serialized, sessionId, lookup, readWorked],
  );

  // Open the log, the device id, and ask for persistent storage.
  useEffect(() => {
    let cancelled = false;
    const db = offlineDb();
    (async () => {
      const id = await getDeviceId(db);
      if (cancelled) return;
      deviceRef.current = id;
      setDeviceId(id);
      await reloadLog();
      if (cancelled) return;
      await refreshStatus();
      setReady(true);
      setPersistence(await requestPersistentStorage());
    })().catch((error: unknown) => {
      if (!cancelled) readFailed('open')(error);
    });
    return () => {
      cancelled = true;
    };
  }, [sessionId, refreshStatus, reloadLog, readFailed]);

  // The products table: downloaded at each online start, page by page.
  const downloadProducts = useCallback(async () => {
    if (!storeId) return;
    const db = offlineDb();
    setProductsMeta(await getProductsMeta(db, storeId));
    if (!navigator.onLine) return;
    setDownloading(true);
    setProductsError(null);
    try {
      const meta = await refreshProducts(db, storeId, (cursor) => utils.client.inventory.productsForStore.query({ storeId, cursor, limit: 5000 }));
      productCache.current.clear();
      setProductsMeta(meta);
      await reloadLog();
    } catch (error) {
      // A tRPC error says what the server refused; anything else (the network, storage) keeps its own words.
      setProductsError(error instanceof TRPCClientError ? describeError(error) : (error as Error).message);
    } finally {
      setDownloading(false);
    }
  }, [storeId, utils, reloadLog]);
  useEffect(() => {
    void downloadProducts();
  }, [downloadProducts]);

  // The sync loop of this user and session.
  useEffect(() => {
    const loop = new SyncLoop({
      db: offlineDb(),
      sessionId,
      userId,
      send: sendRef.current ?? ((request) => utils.client.inventory.sync.mutate(request)),
      isOnline: () => navigator.onLine,
      onState: (state) => {
        setSyncState(state);
        if (state.phase !== 'syncing') {
          refreshStatus().then(() => readWorked('status'), readFailed('status'));
          reloadLog().catch(readFailed('log'));
        }
      },
    });
    loopRef.current = loop;
    loop.start();
    return () => {
      loop.stop();
      loopRef.current = null;
    };
  }, [sessionId, userId, utils, refreshStatus, reloadLog, readFailed, readWorked]);

  useEffect(() => {
    if (online) loopRef.current?.kick();
  }, [online]);

  const scheduleSync = useCallback(() => {
    if (kickTimer.current) clearTimeout(kickTimer.current);
    // Scans come in bursts; send them once the burst pauses.
    kickTimer.current = setTimeout(() => loopRef.current?.kick(), 1_500);
  }, []);

  const persistMs = useRef<number[]>([]);

  // Scans from a fast scanner (or a queue replayed at once) arrive several per frame: the screen shows them once
  // per frame, not once per scan, so the main thread stays free for the next write.
  const unshownScans = useRef(0);
  const frame = useRef<number | null>(null);
  const showScans = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const added = unshownScans.current;
      unshownScans.current = 0;
      setTallyView(tally.current!.view);
      setPending((n) => (n === null ? n : n + added));
      setReceipt(undefined);
    });
  }, []);
  useEffect(() => () => void (frame.current !== null && cancelAnimationFrame(frame.current)), []);

  const record = useCallback(
    (entry: { ean: string; quantity: number; zone: string; replaces?: string | null; recount?: boolean }): Promise<ScanRecord> =>
      serialized(async () => {
        const deviceId = deviceRef.current ?? (await getDeviceId(offlineDb()));
        const started = performance.now();
        const scan = await appendScan(offlineDb(), deviceId, { sessionId, storeId: storeId ?? '', userId, ...entry });
        if (benchHooks) persistMs.current.push(performance.now() - started);
        tally.current!.append(scan);
        unshownScans.current += 1;
        showScans();
        scheduleSync();
        return scan;
      }),
    [serialized, sessionId, storeId, userId, scheduleSync],
  );

  // A new scale layout changes what scale labels resolve to and stand for.
  const firstLayout = useRef(layout);
  useEffect(() => {
    if (layout === firstLayout.current) return;
    firstLayout.current = layout;
    productCache.current.clear();
    reloadLog().catch(readFailed('log'));
  }, [layout, reloadLog, readFailed]);

  /** Validates and records one scanned code; resolves once it is in IndexedDB. */
  const scan = useCallback(
    async (code: string, opts: { quantity?: number; zone: string; recount?: boolean }): Promise<ScanFeedback> => {
      const parsed = parseScan(code.trim(), layout);
      if (!parsed.ok) {
        return { ok: false, message: parsed.reason === 'invalid_check_digit' ? 'Dígito verificador incorreto: leia o código de novo.' : 'Código inválido: use 8, 12, 13 ou 14 dígitos.' };
      }
      const quantity = opts.quantity ?? 1;
      if (quantity === 0) return { ok: false, message: 'Informe uma quantidade diferente de zero.' };
      if (!isStorableCountQuantity(quantity)) return { ok: false, message: 'Quantidade inválida: use um número até 1.000.000, com no máximo 3 casas decimais.' };
      const product = await lookup(parsed.ean);
      const saved = await record({ ean: parsed.ean, quantity, zone: opts.zone, recount: opts.recount });
      const shown = displayQuantity(saved, product, layout);
      const total = tally.current!.total(tally.current!.keyOf(saved));
      return {
        ok: true,
        scan: saved,
        name: product?.name ?? null,
        productId: product?.id ?? null,
        photoId: product?.photoId ?? null,
        unit: product?.unit ?? null,
        displayQuantity: shown,
        total,
        unknown: !product,
      };
    },
    [layout, lookup, record],
  );

  /** A correction: a new entry replacing `target` (quantity 0 undoes it). The log is never edited. */
  const correct = useCallback(
    (target: ScanRecord, quantity: number) => record({ ean: target.ean, quantity, zone: target.zone, replaces: target.id, recount: target.recount }),
    [record],
  );

  const flush = useCallback(async () => {
    const outcome = (await loopRef.current?.flush()) ?? null;
    await refreshStatus();
    return outcome;
  }, [refreshStatus]);

  useEffect(() => {
    if (!benchHooks) return;
    window.__offlineCounter = {
      persistMs: persistMs.current,
      scan: (code) => scan(code, { zone: '' }),
      baselinePersist: async (code) => {
        const started = performance.now();
        await appendScan(offlineDb(), deviceRef.current ?? 'bench', { sessionId: `bench-baseline-${sessionId}`, storeId: storeId ?? '', userId, ean: code, quantity: 1, zone: '' });
        return performance.now() - started;
      },
      flush,
      pending: () => pendingCount(offlineDb(), sessionId),
    };
  }, [scan, flush, sessionId, storeId, userId]);

  return {
    ready,
    online,
    deviceId,
    tally: tallyView,
    /** The lines the user counted in a first count, which they may not recount. */
    firstCountedBy: (user: string) => tally.current!.firstCountedBy(user),
    pending,
    lastSync,
    receipt,
    persistence,
    /** The site's storage is at 90 % of its quota or more. */
    storageNearlyFull: nearlyFull,
    productsMeta,
    productsStale: storeId ? isStale(productsMeta) : false,
    productsError,
    downloading,
    downloadProducts,
    syncState,
    storageReadError,
    scan,
    correct,
    syncNow: () => loopRef.current?.kick(),
    lookupCached: (ean: string) => productCache.current.get(ean),
  };
}

