'use client';

import Link from 'next/link';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { beep } from '~/lib/ui/beep';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { handleExpiredLoginHere, loginUrl } from '~/lib/trpc/redirect';
import type { ScanRecord } from '~/offline/db';
import type { LineCount } from '~/offline/tally';
import { RegisterFromOffButton, useRegisterFromOff } from '../catalogue/register-from-off';
import { useSession } from '../session';
import { formatQuantity, isAmbiguousDecimal, parseSignedDecimal } from '../ui/format';
import { ambiguousQuantity, CorrectionForm, RecentScans, ScanCodeInput, SyncStatusBar, useThrottled, vibrate, type ScanCodeHandle } from './scanning';
import { WithProductPhoto } from '../ui/product-photo';
import { CameraScanner } from './camera-scanner';
import { formatTime, quantityLabel, rejectReasonLabel, useCachedSession } from './shared';
import { useOfflineCounter, type ScanFeedback } from './use-offline-counter';
import styles from './inventory.module.css';

type SessionDetail = RouterOutputs['inventory']['byId'];

const countingPath = (sessionId: string) => `/inventory/${sessionId}/count`;

export function CountingScreen({ sessionId }: { sessionId: string }) {
  const me = useSession();
  const { session, error: sessionError } = useCachedSession(sessionId);
  // An expired login must not interrupt counting: no redirect to /login from here, a banner instead.
  const [loginExpired, setLoginExpired] = useState(false);
  useEffect(() => handleExpiredLoginHere(() => setLoginExpired(true)), []);
  if (!session) {
    return (
      <section>
        <h1>Contagem</h1>
        {sessionError ? (
          <p className="alert alert-error" role="alert">
            Não foi possível abrir este inventário neste tablet: {sessionError}{' '}
            {loginExpired ? (
              <a className="btn btn-primary" href={loginUrl(countingPath(sessionId))}>
                Entrar novamente
              </a>
            ) : null}
          </p>
        ) : (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" />
            Abrindo o inventário…
          </p>
        )}
      </section>
    );
  }
  return (
    <Counter
      session={session}
      userId={me.user.id}
      layout={me.organization.settings?.scaleBarcode ?? null}
      loginExpired={loginExpired}
      onLoginBack={() => setLoginExpired(false)}
    />
  );
}

type CounterProps = {
  session: SessionDetail;
  userId: string;
  layout: Parameters<typeof useOfflineCounter>[0]['layout'];
  /** Some call of this page was answered UNAUTHORIZED. */
  loginExpired: boolean;
  onLoginBack: () => void;
};

function Counter({ session, userId, layout, loginExpired, onLoginBack }: CounterProps) {
  const counter = useOfflineCounter({ sessionId: session.id, storeId: session.storeId, userId, layout });
  const utils = api.useUtils();
  // Told when the store's counts change (pushed, not polled): a finalize or cancel closes this screen at once, and a
  // manager's recount request shows up without a reload. Offline, the next sync tells instead.
  api.dashboard.live.useSubscription(
    { storeId: session.storeId },
    {
      onData: (event) => {
        if ((event as { kind?: string }).kind === 'inventory') void utils.inventory.byId.invalidate({ id: session.id });
      },
    },
  );
  const myZones = useMemo(() => session.assignments.filter((a) => a.userId === userId && a.zone).map((a) => a.zone), [session.assignments, userId]);
  const knownZones = useMemo(() => [...new Set([...myZones, ...(session.filter.zones ?? [])])], [myZones, session.filter.zones]);
  const [zone, setZone] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [feedback, setFeedback] = useState<ScanFeedback | null>(null);
  const [storageError, setStorageError] = useState<string | null>(null);
  const [registered, setRegistered] = useState<string | null>(null);
  const [camera, setCamera] = useState(false);
  const [recount, setRecount] = useState(false);
  const [correcting, setCorrecting] = useState<ScanRecord | null>(null);
  const scanInput = useRef<ScanCodeHandle>(null);
  const pendingRecounts = session.recountRequests.filter((r) => !r.recounted);
  // A recount is made by someone else than who counted the line first (the server refuses it otherwise).
  const countedHereFirst = counter.firstCountedBy(userId);
  const mine = (r: (typeof pendingRecounts)[number]) => r.firstCountBy.includes(userId) || countedHereFirst.has(r.ean);
  const recountable = pendingRecounts.filter((r) => !mine(r));
  const notMine = pendingRecounts.filter(mine);
  const lastOutcome = counter.syncState?.lastOutcome;
  // Closed as far as this tablet knows: the cached session, or the server's answer to the last sync.
  const closed = session.status !== 'open' || counter.syncState?.phase === 'session_closed';
  const closedWord = session.status === 'cancelled' ? 'cancelado' : session.status === 'finalized' ? 'finalizado' : 'encerrado';
  // The last "+1" must not stay on screen once the count is known closed: that scan may not have counted.
  useEffect(() => {
    if (closed) setFeedback(null);
  }, [closed]);
  // Learned from a sync (the live event was missed offline): read the session again for how and why it closed.
  const closedBySync = counter.syncState?.phase === 'session_closed';
  useEffect(() => {
    if (closedBySync) void utils.inventory.byId.invalidate({ id: session.id });
  }, [closedBySync, utils, session.id]);
  const needsLogin = loginExpired || counter.syncState?.phase === 'login_needed';
  const loginBack = useRef(onLoginBack);
  loginBack.current = onLoginBack;
  useEffect(() => {
    // Signed in again (e.g. in another tab): a new sync reached the server, so the banner goes.
    if (lastOutcome?.status === 'synced') loginBack.current();
  }, [lastOutcome]);

  useEffect(() => {
    const saved = localStorage.getItem(`inventory-zone:${session.id}`);
    setZone(saved ?? myZones[0] ?? '');
    // Only on opening the session (myZones is derived from it): the clerk's choice wins afterwards.
  }, [session.id]);
  useEffect(() => {
    localStorage.setItem(`inventory-zone:${session.id}`, zone);
  }, [zone, session.id]);

  const submit = useCallback(
    async (raw: string) => {
      const digits = raw.replace(/\s+/g, '');
      if (!digits) return;
      setRegistered(null);
      if (closed) {
        // A scanner still fires into a closed count: refuse it loudly, with nothing stored and no success sound.
        setFeedback({ ok: false, message: `Leitura não registrada: este inventário foi ${closedWord} e não recebe mais leituras.` });
        beep({ frequency: 220, durationMs: 400 });
        vibrate([120, 60, 120]);
        scanInput.current?.focus();
        return;
      }
      if (isAmbiguousDecimal(quantity)) {
        setFeedback({ ok: false, message: ambiguousQuantity(quantity) });
        beep({ frequency: 220, durationMs: 250 });
        scanInput.current?.focus();
        return;
      }
      try {
        const result = await counter.scan(digits, { quantity: parseSignedDecimal(quantity) ?? Number.NaN, zone, recount: recount && recountable.some((r) => r.ean === digits) });
        setFeedback(result);
        setStorageError(null);
        if (result.ok) {
          beep({ frequency: result.unknown ? 520 : 880, durationMs: 70 });
          vibrate(40);
          setQuantity('1');
        } else {
          beep({ frequency: 220, durationMs: 250 });
          vibrate([80, 60, 80]);
        }
      } catch (error) {
        setStorageError((error as Error).message);
        beep({ frequency: 220, durationMs: 400 });
      }
      scanInput.current?.focus();
    },
    [counter, quantity, zone, recount, recountable, closed, closedWord],
  );

  const scanFromElsewhere = useCallback((code: string) => void submit(code), [submit]);

  // A buyer or admin registers an EAN the catalogue lacks from Open Food Facts; the tablet's table is then read again,
  // so the scans already made of it get its name.
  const fromOff = useRegisterFromOff({
    onCreated: (_product, message) => {
      setFeedback(null);
      setRegistered(`${message} A lista de produtos do tablet foi atualizada.`);
      void counter.downloadProducts();
      scanInput.current?.focus();
    },
  });
  const registerEan = fromOff.allowed ? fromOff.start : undefined;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit(scanInput.current?.take() ?? '');
  };

  const { recent, lines, rejected } = counter.tally;
  const closedAfter = rejected.filter((s) => s.rejectReason === 'session_closed').length;
  const shownLines = useThrottled(lines, 1_000);
  const phase = counter.syncState?.phase;
  const readings = (n: number) => (n === 1 ? '1 leitura' : `${n} leituras`);

  return (
    <section className={styles.counter}>
      <div className={styles.titleRow}>
        <h1>
          Contagem · {session.storeName} <span className="muted mono">{session.number}</span>
        </h1>
        <Link href="/inventory" className="btn btn-secondary">
          Inventários
        </Link>
      </div>

      <SyncStatusBar online={counter.online} pending={counter.pending} lastSyncAt={counter.lastSync?.at ?? null} phase={phase} task="contar" />

      {counter.receipt && counter.pending === 0 ? (
        <div className={styles.receipt} data-testid="sync-receipt">
          <strong>Tudo sincronizado</strong>
          <span>
            Dispositivo <span className="mono">{counter.receipt.deviceId}</span> · {readings(counter.receipt.serverCount)} no servidor · {formatTime(counter.receipt.at)}
          </span>
        </div>
      ) : null}

      {needsLogin ? (
        <div className="alert alert-warning" role="alert" data-testid="login-expired">
          <p className="alert-title">
            Sua sessão expirou — entre novamente para enviar {counter.pending ? readings(counter.pending) : 'as leituras'}
          </p>
          <p>Continue contando: as leituras ficam guardadas neste tablet e são enviadas assim que você entrar.</p>
          <a className="btn btn-primary" href={loginUrl(countingPath(session.id))}>
            Entrar novamente
          </a>
        </div>
      ) : null}
      {closed ? (
        <div className={`alert alert-error ${styles.closed}`} role="alert" data-testid="session-closed">
          <p className="alert-title">Inventário {closedWord}: não recebe mais leituras</p>
          {session.status === 'cancelled' && session.cancelReason ? <p>Motivo: {session.cancelReason}</p> : null}
          {rejected.some((s) => s.rejectReason === 'session_closed') ? (
            <p>
              {closedAfter === 1 ? '1 leitura feita' : `${closedAfter} leituras feitas`} depois do encerramento não {closedAfter === 1 ? 'entrou' : 'entraram'} na
              contagem: {closedAfter === 1 ? 'ela está listada' : 'estão listadas'} abaixo. Mostre ao gerente.
            </p>
          ) : null}
          {counter.pending ? <p>{counter.pending === 1 ? 'Falta enviar 1 leitura' : `Faltam enviar ${counter.pending} leituras`} para saber se entraram na contagem.</p> : null}
          <Link href="/inventory" className="btn btn-primary">
            Voltar aos inventários
          </Link>
        </div>
      ) : null}
      {phase === 'forbidden' ? (
        <p className="alert alert-error" role="alert">
          Você não está designado para este inventário. Peça ao gerente para incluir você e depois toque em “Sincronizar agora”: as leituras ficam
          guardadas neste tablet até lá.
        </p>
      ) : null}
      {phase === 'device_refused' ? (
        <p className="alert alert-error" role="alert">
          O servidor não reconheceu a identificação deste tablet (<span className="mono">{counter.deviceId}</span>). As leituras continuam guardadas aqui;
          chame o gerente antes de limpar os dados do navegador.
        </p>
      ) : null}
      {phase === 'update_needed' ? (
        <div className="alert alert-error" role="alert">
          <p>Este aplicativo está desatualizado e o servidor não aceita o envio. As leituras continuam guardadas neste tablet.</p>
          <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
            Atualizar o aplicativo
          </button>
        </div>
      ) : null}
      {counter.storageNearlyFull ? (
        <p className="alert alert-warning" role="alert" data-testid="storage-warning">
          O espaço de armazenamento deste tablet está quase cheio: novas leituras podem não ser guardadas. Conecte-se à rede para enviar as
          pendentes e libere espaço (apague fotos ou dados de outros sites).
        </p>
      ) : counter.persistence === 'denied' && !counter.online && (counter.pending ?? 0) > 0 ? (
        // Only when it matters: scans that exist on this tablet alone, which the browser may evict under pressure.
        <p className="alert alert-warning" data-testid="storage-warning">
          {counter.pending === 1 ? 'A leitura pendente está' : `As ${counter.pending} leituras pendentes estão`} só neste tablet e o navegador pode apagá-las
          se faltar espaço: volte para a rede para enviá-las assim que puder.
        </p>
      ) : null}
      {counter.productsStale && !counter.downloading ? (
        <p className="alert alert-warning" role="alert">
          A lista de produtos deste tablet está desatualizada (mais de 7 dias) ou não foi baixada. Conecte-se para atualizá-la antes de contar.
        </p>
      ) : null}
      {storageError ? (
        <p className="alert alert-error" role="alert">
          {storageError}
        </p>
      ) : null}
      {counter.storageReadError ? (
        <p className="alert alert-error" role="alert" data-testid="storage-read-error">
          {counter.storageReadError}
        </p>
      ) : null}

      <form onSubmit={onSubmit} className={styles.scanForm}>
        <label htmlFor="scan-code" className="field-label">
          Código de barras
        </label>
        <div className="scan-row">
          {/* Not disabled when the count is closed: a scan must still reach `submit`, which refuses it out loud. */}
          <ScanCodeInput ref={scanInput} disabled={!counter.ready} onScan={scanFromElsewhere} />
          <button type="submit" className="btn btn-primary" disabled={!counter.ready}>
            Registrar
          </button>
        </div>
        <div className={styles.options}>
          <QuantityAndZone quantity={quantity} onQuantity={setQuantity} zone={zone} onZone={setZone} zones={knownZones} />
          <button type="button" className="btn btn-secondary" onClick={() => setCamera((c) => !c)} aria-pressed={camera}>
            Câmera
          </button>
        </div>
        {recountable.length > 0 ? (
          <label className="checkbox-field">
            <input type="checkbox" checked={recount} onChange={(e) => setRecount(e.target.checked)} /> Recontagem pedida pelo gerente ({recountable.map((r) => r.name ?? r.ean).join(', ')})
          </label>
        ) : null}
        {notMine.length > 0 ? (
          <p className="muted" data-testid="recount-not-mine">
            Recontagem pedida de {notMine.map((r) => r.name ?? r.ean).join(', ')}: você contou na primeira contagem, então outro operador deve recontar.
          </p>
        ) : null}
      </form>

      {camera ? <CameraScanner onCode={(c) => void submit(c)} onClose={() => setCamera(false)} /> : null}

      <div aria-live="polite" className={styles.feedback} data-testid="scan-feedback">
        {feedback?.ok && !feedback.unknown ? (
          <WithProductPhoto productId={feedback.productId} photoId={feedback.photoId} name={feedback.name ?? ''} size={56}>
            <p className={styles.ok}>
              <strong>{feedback.name}</strong> +{quantityLabel(feedback.displayQuantity, feedback.unit)} · total{' '}
              <strong data-testid="last-total">{quantityLabel(feedback.total, feedback.unit)}</strong>
            </p>
          </WithProductPhoto>
        ) : feedback?.ok ? (
          <p className={styles.warn}>
            <strong>{`EAN ${feedback.scan.ean} fora da lista do tablet (registrado)`}</strong> +{quantityLabel(feedback.displayQuantity, feedback.unit)} · total{' '}
            <strong data-testid="last-total">{quantityLabel(feedback.total, feedback.unit)}</strong>
          </p>
        ) : feedback ? (
          <p className={styles.bad}>{feedback.message}</p>
        ) : closed ? (
          <p className={styles.bad}>Inventário {closedWord}: nenhuma leitura é registrada.</p>
        ) : registered ? (
          <p className={styles.ok}>{registered}</p>
        ) : (
          <p className="muted">Pronto para ler.</p>
        )}
      </div>
      {feedback?.ok && feedback.unknown && registerEan ? (
        <div className={styles.registerRow} data-testid="scan-register">
          <RegisterFromOffButton ean={feedback.scan.ean} asking={fromOff.asking} onStart={registerEan} />
        </div>
      ) : null}

      {correcting ? (
        <CorrectionForm
          scan={correcting}
          onCancel={() => setCorrecting(null)}
          onSave={async (q) => {
            await counter.correct(correcting, q);
            setCorrecting(null);
            scanInput.current?.focus();
          }}
        />
      ) : null}

      {rejected.length > 0 ? (
        <div className="alert alert-error" role="alert" data-testid="rejected-scans">
          <p className="alert-title">
            {readings(rejected.length)} {rejected.length === 1 ? 'recusada' : 'recusadas'} pelo servidor: não {rejected.length === 1 ? 'entra' : 'entram'} na contagem
          </p>
          <ul>
            {rejected.slice(-20).map((s) => (
              <li key={s.id}>
                {counter.lookupCached(s.ean)?.name ?? s.ean} · {formatQuantity(s.quantity)}
                {s.recount ? ' · recontagem' : ''}: {rejectReasonLabel(s.rejectReason, s.rejectMessage)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <RecentScans
        recent={recent}
        nameOf={(ean) => counter.lookupCached(ean)?.name ?? null}
        canCorrect={!closed}
        onUndo={(s) =>
          counter
            .correct(s, 0)
            .then(() => setStorageError(null))
            .catch((error: unknown) => setStorageError(`Não foi possível desfazer a leitura: ${(error as Error).message}`))
            .finally(() => scanInput.current?.focus())
        }
        onCorrect={setCorrecting}
      />

      <RunningCounts lines={shownLines} onRegister={registerEan} asking={fromOff.asking} />
      <p className="muted">
        Dispositivo <span className="mono">{counter.deviceId ?? '…'}</span> · produtos no tablet: {counter.productsMeta?.count ?? 0}
        {counter.productsMeta ? ` (baixados ${formatTime(new Date(counter.productsMeta.fetchedAt).toISOString())})` : ''}
        {counter.downloading ? ' · baixando…' : ''} {counter.productsError ? ` · falha ao baixar: ${counter.productsError}` : ''}
      </p>
      <button type="button" className="btn btn-secondary" onClick={() => counter.syncNow()} disabled={!counter.online}>
        Sincronizar agora
      </button>
      {fromOff.dialog}
    </section>
  );
}

/**
 * Quantity and zone: their own component, so a scan (which re-renders the screen) leaves these controlled fields
 * alone — React rewrites a controlled field's attributes each time it renders it, and that repaints the page.
 */
const QuantityAndZone = memo(function QuantityAndZone({
  quantity,
  onQuantity,
  zone,
  onZone,
  zones,
}: {
  quantity: string;
  onQuantity: (value: string) => void;
  zone: string;
  onZone: (value: string) => void;
  zones: readonly string[];
}) {
  return (
    <>
      <label className={styles.small}>
        Quantidade
        <input className="input" inputMode="decimal" value={quantity} onChange={(e) => onQuantity(e.target.value)} aria-label="Quantidade" />
      </label>
      <label className={styles.small}>
        Zona
        <input className="input" list="zones" value={zone} onChange={(e) => onZone(e.target.value.slice(0, 50))} aria-label="Zona" placeholder="Ex.: Corredor 3" />
        <datalist id="zones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </label>
    </>
  );
});

/**
 * What this tablet counted, per product. A 200-row table is the costliest thing on the page to lay out and paint,
 * so while a scanner is firing it is refreshed once a second (the scan's own total shows at once above); its own
 * layer keeps the rest of the page from repainting with it.
 */
const RunningCounts = memo(function RunningCounts({
  lines,
  onRegister,
  asking,
}: {
  lines: readonly LineCount[];
  /** A buyer's or admin's way to register an EAN the tablet does not know (absent for everyone else). */
  onRegister?: (ean: string) => void;
  asking: string | null;
}) {
  return (
    <section className={styles.counts} aria-labelledby="running-counts-title">
      <h2 id="running-counts-title" className="section-title">
        Contado neste tablet ({lines.length === 1 ? '1 produto' : `${lines.length} produtos`})
      </h2>
      {lines.length > 200 ? <p className="muted">Mostrando os 200 primeiros.</p> : null}
      <table className="data-table" data-testid="running-counts">
        <thead>
          <tr>
            <th>Produto</th>
            <th>EAN</th>
            <th>Quantidade</th>
          </tr>
        </thead>
        <tbody>
          {lines.slice(0, 200).map((l) => (
            <CountRow key={l.ean} line={l} onRegister={l.name === null ? onRegister : undefined} asking={l.name === null ? asking : null} />
          ))}
        </tbody>
      </table>
    </section>
  );
});

/** A line object is replaced only when its count changes, so a scan re-renders one row, not two hundred. */
const CountRow = memo(function CountRow({ line, onRegister, asking }: { line: LineCount; onRegister?: (ean: string) => void; asking: string | null }) {
  return (
    <tr>
      <td data-label="Produto">
        {line.name ?? 'Não encontrado no tablet'}
        {onRegister ? (
          <span className={styles.registerRow}>
            <RegisterFromOffButton ean={line.ean} asking={asking} onStart={onRegister} />
          </span>
        ) : null}
      </td>
      <td data-label="EAN" className="mono">
        {line.ean}
      </td>
      <td data-label="Quantidade">{quantityLabel(line.quantity, line.unit)}</td>
    </tr>
  );
});

