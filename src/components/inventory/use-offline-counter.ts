'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { parseScan, pluCandidates, scaleLabelQuantity, type ScaleBarcodeLayout } from '~/lib/scale-barcode';
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
  sessionScans,
  type LastSync,
  type OfflineProduct,
  type PersistenceState,
  type ProductsMeta,
  type ScanRecord,
  type SyncReceipt,
} from '~/offline/db';
import { SyncLoop, type SyncOutcome, type SyncState } from '~/offline/sync';

export type LineCount = { ean: string; name: string | null; unit: string | null; quantity: number; entries: number };

export type ScanFeedback =
  | { ok: true; scan: ScanRecord; name: string | null; displayQuantity: number; unit: string | null; total: number; unknown: boolean }
  | { ok: false; message: string };

type Options = { sessionId: string; storeId: string | null; userId: string; layout: ScaleBarcodeLayout | null };

/** What the bench reads: persist times around the IndexedDB write, and a way to wait for a full sync. */
type BenchHooks = { persistMs: number[]; scan: (code: string) => Promise<ScanFeedback>; flush: () => Promise<SyncOutcome | null>; pending: () => Promise<number> };
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
 * The counting screen's state: the scan log of this session from IndexedDB, running counts per product, the
 * products table, and the sync loop. A scan is acknowledged only after its row is committed.
 */
export function useOfflineCounter({ sessionId, storeId, userId, layout }: Options) {
  const utils = api.useUtils();
  const online = useOnline();
  const [ready, setReady] = useState(false);
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const [scans, setScans] = useState<ScanRecord[]>([]);
  // null until read from IndexedDB: a screen that says 0 before it knows would tell the clerk all was sent.
  const [pending, setPending] = useState<number | null>(null);
  const [lastSync, setLastSyncState] = useState<LastSync | undefined>();
  const [receipt, setReceipt] = useState<SyncReceipt | undefined>();
  const [persistence, setPersistence] = useState<PersistenceState | null>(null);
  const [productsMeta, setProductsMeta] = useState<ProductsMeta | undefined>();
  const [productsError, setProductsError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const [syncState, setSyncState] = useState<SyncState | null>(null);
  const productCache = useRef(new Map<string, OfflineProduct | undefined>());
  const loopRef = useRef<SyncLoop | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const kickTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const deviceRef = useRef<string | null>(null);

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
      const parsed = parseScan(ean, layout);
      if (!product && parsed.ok && parsed.scale) product = await findProductByPlu(db, storeId, pluCandidates(parsed.scale.plu));
      productCache.current.set(ean, product);
      return product;
    },
    [storeId, layout],
  );

  // Open the log, the device id, and ask for persistent storage.
  useEffect(() => {
    let cancelled = false;
    const db = offlineDb();
    void (async () => {
      const [id, all] = await Promise.all([getDeviceId(db), sessionScans(db, sessionId)]);
      if (cancelled) return;
      deviceRef.current = id;
      setDeviceId(id);
      setScans(all);
      await refreshStatus();
      setReady(true);
      setPersistence(await requestPersistentStorage());
    })();
    return () => {
      cancelled = true;
    };
  }, [sessionId, refreshStatus]);

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
    } catch (error) {
      setProductsError((error as Error).message);
    } finally {
      setDownloading(false);
    }
  }, [storeId, utils]);
  useEffect(() => {
    void downloadProducts();
  }, [downloadProducts]);

  // The sync loop of this user and session.
  useEffect(() => {
    const loop = new SyncLoop({
      db: offlineDb(),
      sessionId,
      userId,
      send: (request) => utils.client.inventory.sync.mutate(request),
      isOnline: () => navigator.onLine,
      onState: (state) => {
        setSyncState(state);
        if (state.phase !== 'syncing') {
          void refreshStatus();
          void sessionScans(offlineDb(), sessionId).then(setScans);
        }
      },
    });
    loopRef.current = loop;
    loop.start();
    return () => {
      loop.stop();
      loopRef.current = null;
    };
  }, [sessionId, userId, utils, refreshStatus]);

  useEffect(() => {
    if (online) loopRef.current?.kick();
  }, [online]);

  const scheduleSync = useCallback(() => {
    if (kickTimer.current) clearTimeout(kickTimer.current);
    // Scans come in bursts; send them once the burst pauses.
    kickTimer.current = setTimeout(() => loopRef.current?.kick(), 1_500);
  }, []);

  const persistMs = useRef<number[]>([]);

  const record = useCallback(
    (entry: { ean: string; quantity: number; zone: string; replaces?: string | null; recount?: boolean }): Promise<ScanRecord> => {
      const run = queue.current.then(async () => {
        const deviceId = deviceRef.current ?? (await getDeviceId(offlineDb()));
        const started = performance.now();
        const scan = await appendScan(offlineDb(), deviceId, { sessionId, storeId: storeId ?? '', userId, ...entry });
        persistMs.current.push(performance.now() - started);
        setScans((prev) => [...prev, scan]);
        setPending((n) => (n === null ? n : n + 1));
        setReceipt(undefined);
        scheduleSync();
        return scan;
      });
      queue.current = run.catch(() => undefined);
      return run;
    },
    [sessionId, storeId, userId, scheduleSync],
  );

  // Names for scans already in the log (a reload): resolved once the products table is known.
  const [productsVersion, setProductsVersion] = useState(0);
  useEffect(() => {
    if (!ready || !storeId) return;
    const unknown = [...new Set(scans.map((s) => s.ean))].filter((ean) => !productCache.current.has(ean));
    if (unknown.length === 0) return;
    void Promise.all(unknown.map(lookup)).then(() => setProductsVersion((v) => v + 1));
  }, [ready, storeId, scans, lookup, productsMeta]);

  // productsVersion: the product cache (a ref) was filled for scans loaded from the log.
  const counts = useMemo(() => computeCounts(scans, productCache.current, layout, productsVersion), [scans, layout, productsVersion]);

  /** Validates and records one scanned code; resolves once it is in IndexedDB. */
  const scan = useCallback(
    async (code: string, opts: { quantity?: number; zone: string; recount?: boolean }): Promise<ScanFeedback> => {
      const parsed = parseScan(code.trim(), layout);
      if (!parsed.ok) {
        return { ok: false, message: parsed.reason === 'invalid_check_digit' ? 'Dígito verificador incorreto: leia o código de novo.' : 'Código inválido: use 8, 12, 13 ou 14 dígitos.' };
      }
      const quantity = opts.quantity ?? 1;
      if (!Number.isFinite(quantity) || quantity === 0) return { ok: false, message: 'Informe uma quantidade diferente de zero.' };
      const product = await lookup(parsed.ean);
      const saved = await record({ ean: parsed.ean, quantity, zone: opts.zone, recount: opts.recount });
      const shown = displayQuantity(saved, product, layout);
      const key = product?.ean ?? parsed.ean;
      const total = (counts.get(key)?.quantity ?? 0) + shown;
      return { ok: true, scan: saved, name: product?.name ?? null, unit: product?.unit ?? null, displayQuantity: shown, total, unknown: !product };
    },
    [layout, lookup, record, counts],
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
    window.__offlineCounter = {
      persistMs: persistMs.current,
      scan: (code) => scan(code, { zone: '' }),
      flush,
      pending: () => pendingCount(offlineDb(), sessionId),
    };
  }, [scan, flush, sessionId]);

  return {
    ready,
    online,
    deviceId,
    scans,
    counts,
    pending,
    lastSync,
    receipt,
    persistence,
    productsMeta,
    productsStale: storeId ? isStale(productsMeta) : false,
    productsError,
    downloading,
    downloadProducts,
    syncState,
    scan,
    correct,
    syncNow: () => loopRef.current?.kick(),
    lookupCached: (ean: string) => productCache.current.get(ean),
  };
}

/** Running totals per product: entries replaced by a correction and entries the server refused do not count. */
function computeCounts(scans: ScanRecord[], products: Map<string, OfflineProduct | undefined>, layout: ScaleBarcodeLayout | null, _version: number): Map<string, LineCount> {
  const replaced = new Set<string>();
  for (const s of scans) if (s.replaces && s.status !== 'rejected') replaced.add(s.replaces);
  const counts = new Map<string, LineCount>();
  for (const s of scans) {
    if (s.status === 'rejected' || replaced.has(s.id)) continue;
    const product = products.get(s.ean);
    const key = product?.ean ?? s.ean;
    const line = counts.get(key) ?? { ean: key, name: product?.name ?? null, unit: product?.unit ?? null, quantity: 0, entries: 0 };
    line.quantity = Math.round((line.quantity + displayQuantity(s, product, layout)) * 1000) / 1000;
    line.entries += 1;
    counts.set(key, line);
  }
  return counts;
}
