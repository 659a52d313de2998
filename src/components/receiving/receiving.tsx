'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { beep } from '~/lib/ui/beep';
import { describeError } from '~/lib/trpc/errors';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import type { ScanRecord } from '~/offline/db';
import type { SyncSend } from '~/offline/sync';
import { CameraScanner } from '../inventory/camera-scanner';
import { formatTime, quantityLabel, rejectReasonLabel } from '../inventory/shared';
import { useOfflineCounter } from '../inventory/use-offline-counter';
import { ambiguousQuantity, CorrectionForm, RecentScans, ScanCodeInput, SyncStatusBar, useThrottled, vibrate, type ScanCodeHandle } from '../inventory/scanning';
import { useSession } from '../session';
import { SelectField } from '../ui/fields';
import { formatQuantity, isAmbiguousDecimal, parseSignedDecimal } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { actionsColumn, DataTable } from '../ui/data-table';
import { PagedList, pagedItems } from '../ui/paged-list';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { forgetReceipt, localReceipts, rememberReceipt, type LocalReceipt } from './local-receipts';
import styles from '../inventory/inventory.module.css';

type ToReceive = RouterOutputs['receiving']['toReceive'];
type ReceiptDetail = RouterOutputs['receiving']['byId'];

const receiptPath = (storeId: string, receiptId: string) => `/receiving?store=${storeId}&receipt=${receiptId}`;

/**
 * Receiving on the tablet: what the store waits for, the deliveries open, and one delivery being scanned. A
 * delivery's scans go to the tablet's offline log first (the counting machinery: `useOfflineCounter`) and reach the
 * server when there is a connection; closing it needs the connection and every scan sent.
 */
export function Receiving() {
  const params = useSearchParams();
  const receiptId = params.get('receipt');
  const storeId = params.get('store');
  if (receiptId && storeId) return <ReceiptScreen key={receiptId} receiptId={receiptId} storeId={storeId} />;
  return <ReceivingHome />;
}

function ReceivingHome() {
  const { user, stores } = useSession();
  const router = useRouter();
  const [storeId, setStoreId] = useState(() => stores[0]?.id ?? '');
  const waiting = api.receiving.toReceive.useQuery({ storeId }, { enabled: storeId !== '', retry: 1 });
  const [local, setLocal] = useState<LocalReceipt[]>([]);
  useEffect(() => setLocal(localReceipts(user.id).filter((r) => r.storeId === storeId)), [user.id, storeId]);
  const serverOpen = waiting.data?.openReceipts ?? [];
  // Until the server's list is here (offline, nothing cached), this tablet's deliveries are listed without a verdict.
  const onlyHere = local.filter((r) => !serverOpen.some((o) => o.id === r.id));
  const serverKnown = waiting.data !== undefined;

  const start = () => {
    const id = crypto.randomUUID();
    rememberReceipt(user.id, { id, storeId, openedAt: new Date().toISOString() });
    router.push(receiptPath(storeId, id));
  };

  return (
    <>
      <PageHeader
        title="Recebimento"
        description="Escaneie o que chegou em cada entrega. As leituras ficam no tablet e são enviadas quando houver rede; ao fechar a entrega, o estoque é atualizado."
      />
      <div className="filters">
        <SelectField label="Loja" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <button type="button" className="btn btn-primary" onClick={start} disabled={storeId === ''}>
          Nova entrega
        </button>
      </div>
      {storeId === '' ? <p className="muted">Você ainda não está em nenhuma loja.</p> : null}
      {waiting.error && !waiting.data ? (
        <p className="alert alert-error" role="alert">
          Não foi possível carregar o que a loja espera receber: {describeError(waiting.error)}
        </p>
      ) : null}

      {serverOpen.length + onlyHere.length > 0 ? (
        <section aria-labelledby="open-receipts">
          <h2 id="open-receipts" className="section-title">
            Entregas abertas
          </h2>
          <ul className={styles.recent} data-testid="open-receipts">
            {serverOpen.map((r) => (
              <li key={r.id}>
                <Link className="btn btn-secondary" href={receiptPath(storeId, r.id)}>
                  Continuar
                </Link>{' '}
                Aberta por {r.openedByName} em {formatTime(r.openedAt)} · {r.entries === 1 ? '1 leitura' : `${r.entries} leituras`}
                {r.note ? ` · ${r.note}` : ''}
              </li>
            ))}
            {onlyHere.map((r) => (
              <li key={r.id}>
                <Link className="btn btn-secondary" href={receiptPath(storeId, r.id)}>
                  Continuar
                </Link>{' '}
                Aberta neste tablet em {formatTime(r.openedAt)}
                {serverKnown ? ' · ainda não enviada (ou já fechada em outro aparelho)' : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <ToReceiveTable data={waiting.data} loading={waiting.isLoading && storeId !== ''} />
      {storeId !== '' ? <ClosedReceipts storeId={storeId} /> : null}
    </>
  );
}

/** What a close found, in words: "sem diferenças" or each kind of difference with its count. */
function differences(r: { excessProducts: number | null; unknownCodes: number | null; partialItems: number | null }): string {
  const parts = [
    r.partialItems ? `${r.partialItems === 1 ? '1 item chegou' : `${r.partialItems} itens chegaram`} em parte` : null,
    r.excessProducts ? `${r.excessProducts === 1 ? '1 produto' : `${r.excessProducts} produtos`} além do pedido` : null,
    r.unknownCodes ? `${r.unknownCodes === 1 ? '1 código' : `${r.unknownCodes} códigos`} fora do cadastro` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'sem diferenças';
}

/** The store's closed deliveries, newest first, with their differences; each opens its lines. */
function ClosedReceipts({ storeId }: { storeId: string }) {
  const list = api.receiving.closed.useInfiniteQuery({ storeId, limit: 20 }, cursorPages);
  const receipts = pagedItems(list);
  return (
    <section aria-labelledby="closed-receipts">
      <h2 id="closed-receipts" className="section-title">
        Entregas fechadas
      </h2>
      <PagedList query={list} loadingLabel="Carregando as entregas fechadas…" errorTitle="Não foi possível carregar as entregas fechadas" empty="Nenhuma entrega fechada nesta loja.">
        <DataTable caption="Entregas fechadas" columns={['Fechada em', 'Por', 'Produtos', 'Diferenças', actionsColumn]}>
          {receipts.map((r) => (
            <tr role="row" key={r.id}>
              <th scope="row" role="rowheader" data-label="Fechada em">
                {formatTime(r.closedAt)}
                {r.note ? <span className="muted block">{r.note}</span> : null}
              </th>
              <td role="cell" data-label="Por">
                {r.closedByName ?? r.openedByName}
              </td>
              <td role="cell" data-label="Produtos">
                {r.products ?? '—'}
              </td>
              <td role="cell" data-label="Diferenças">
                {differences(r)}
              </td>
              <td role="cell" data-label="Ações">
                <Link className="btn btn-secondary" href={receiptPath(storeId, r.id)}>
                  Ver
                </Link>
              </td>
            </tr>
          ))}
        </DataTable>
      </PagedList>
    </section>
  );
}

function ToReceiveTable({ data, loading }: { data: ToReceive | undefined; loading: boolean }) {
  if (loading) return <p className="muted">Carregando o que a loja espera receber…</p>;
  if (!data) return null;
  // (An answer kept offline by an earlier version has no total: its list was all of it.)
  const total = data.total ?? data.items.length;
  return (
    <section aria-labelledby="to-receive">
      <h2 id="to-receive" className="section-title">
        A receber ({total === 1 ? '1 item' : `${total.toLocaleString('pt-BR')} itens`} de pedidos aprovados)
      </h2>
      {data.items.length < total ? (
        <p className="muted" data-testid="to-receive-more">
          Mostrando os {data.items.length.toLocaleString('pt-BR')} itens mais antigos. As leituras de uma entrega são conferidas com todos os{' '}
          {total.toLocaleString('pt-BR')}.
        </p>
      ) : null}
      {data.items.length === 0 ? (
        <p className="muted">Nenhum item aprovado à espera de entrega nesta loja.</p>
      ) : (
        <table className="data-table" data-testid="to-receive">
          <thead>
            <tr>
              <th>Pedido</th>
              <th>Produto</th>
              <th>EAN</th>
              <th>Aprovado</th>
              <th>Recebido</th>
              <th>Falta</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((i) => (
              <tr key={i.itemId}>
                <td data-label="Pedido" className="mono">
                  {i.requestNumber}
                </td>
                <td data-label="Produto">{i.name}</td>
                <td data-label="EAN" className="mono">
                  {i.ean}
                </td>
                <td data-label="Aprovado">{quantityLabel(i.approved, i.unit)}</td>
                <td data-label="Recebido">{quantityLabel(i.received, i.unit)}</td>
                <td data-label="Falta">{quantityLabel(i.remaining, i.unit)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Said of a scan the tablet still held when it learned the delivery was closed (`~/offline/sync` SESSION_CLOSED). */
const closedBeforeItArrived = 'a entrega já estava fechada: não entrou no estoque';
const scanProblem = (s: ScanRecord) => (s.rejectReason === 'session_closed' ? closedBeforeItArrived : rejectReasonLabel(s.rejectReason, s.rejectMessage));

function ReceiptScreen({ receiptId, storeId }: { receiptId: string; storeId: string }) {
  const me = useSession();
  const utils = api.useUtils();
  const isManager = me.user.role === 'manager' || me.user.role === 'admin';
  const storeName = me.stores.find((s) => s.id === storeId)?.name ?? '';
  // The receipt is opened on the server with the first batch (or at once, online): the same id again is harmless.
  const opened = useRef(false);
  const openOnServer = useCallback(async () => {
    if (opened.current) return;
    await utils.client.receiving.open.mutate({ id: receiptId, storeId });
    opened.current = true;
    void utils.receiving.byId.invalidate({ id: receiptId });
  }, [utils, receiptId, storeId]);
  const send = useCallback<SyncSend>(
    async (request) => {
      await openOnServer();
      const answer = await utils.client.receiving.sync.mutate({
        receiptId,
        entries: request.entries.map((e) => ({ id: e.id, ean: e.ean, quantity: e.quantity, replaces: e.replaces ?? null })),
        deviceId: request.deviceId,
        pendingCount: request.pendingCount,
      });
      return { ...answer, lastSeq: Math.max(0, ...request.entries.map((e) => e.seq)) };
    },
    [utils, receiptId, openOnServer],
  );
  useEffect(() => {
    rememberReceipt(me.user.id, { id: receiptId, storeId, openedAt: localReceipts(me.user.id).find((r) => r.id === receiptId)?.openedAt ?? new Date().toISOString() });
    if (navigator.onLine) void openOnServer().catch(() => undefined);
  }, [me.user.id, receiptId, storeId, openOnServer]);

  const counter = useOfflineCounter({ sessionId: receiptId, storeId, userId: me.user.id, layout: me.organization.settings?.scaleBarcode ?? null, send });
  const waiting = api.receiving.toReceive.useQuery({ storeId }, { retry: 1, staleTime: 60_000 });
  const detail = api.receiving.byId.useQuery({ id: receiptId }, { retry: false, enabled: counter.online });
  const serverCount = counter.lastSync?.serverCount;
  // Each sync changes what the server holds: read its lines again.
  useEffect(() => {
    if (serverCount !== undefined) void utils.receiving.byId.invalidate({ id: receiptId });
  }, [serverCount, utils, receiptId]);
  const closedOnServer = detail.data?.receipt.status === 'closed' || counter.syncState?.phase === 'session_closed';
  // A delivery closed (here or on another device) leaves this tablet's list of open ones.
  useEffect(() => {
    if (closedOnServer) forgetReceipt(me.user.id, receiptId);
  }, [closedOnServer, me.user.id, receiptId]);

  // Every open item's EAN, the list's first 500 or not (an answer kept offline by an earlier version: its list).
  const expected = useMemo(() => {
    const byEan = new Map<string, number>();
    if (waiting.data?.expected) for (const e of waiting.data.expected) byEan.set(e.ean, e.remaining);
    else for (const i of waiting.data?.items ?? []) byEan.set(i.ean, (byEan.get(i.ean) ?? 0) + i.remaining);
    return byEan;
  }, [waiting.data]);

  const [quantity, setQuantity] = useState('1');
  const [feedback, setFeedback] = useState<{ ok: boolean; text: string } | null>(null);
  const [camera, setCamera] = useState(false);
  const [correcting, setCorrecting] = useState<ScanRecord | null>(null);
  const [storageError, setStorageError] = useState<string | null>(null);
  const scanInput = useRef<ScanCodeHandle>(null);

  const submit = useCallback(
    async (raw: string) => {
      const digits = raw.replace(/\s+/g, '');
      if (!digits) return;
      const bad = (text: string) => {
        setFeedback({ ok: false, text });
        beep({ frequency: 220, durationMs: 300 });
        vibrate([80, 60, 80]);
        scanInput.current?.focus();
      };
      if (closedOnServer) return bad('Leitura não registrada: esta entrega já foi fechada. Abra uma nova entrega para o que ainda chegar.');
      if (isAmbiguousDecimal(quantity)) return bad(ambiguousQuantity(quantity));
      try {
        const result = await counter.scan(digits, { quantity: parseSignedDecimal(quantity) ?? Number.NaN, zone: '' });
        setStorageError(null);
        if (!result.ok) return bad(result.message);
        const key = result.unknown ? result.scan.ean : (counter.lookupCached(result.scan.ean)?.ean ?? result.scan.ean);
        const wanted = expected.get(key);
        setFeedback({
          ok: true,
          text: result.unknown
            ? `EAN ${result.scan.ean} fora do cadastro: fica separado, não entra no estoque · +${formatQuantity(result.displayQuantity)}`
            : `${result.name} +${quantityLabel(result.displayQuantity, result.unit)} · total ${quantityLabel(result.total, result.unit)}${
                wanted === undefined ? ' · não consta nos pedidos' : ` de ${quantityLabel(wanted, result.unit)} esperados`
              }`,
        });
        beep({ frequency: result.unknown || wanted === undefined || result.total > wanted ? 520 : 880, durationMs: 70 });
        vibrate(40);
        setQuantity('1');
      } catch (error) {
        setStorageError((error as Error).message);
        beep({ frequency: 220, durationMs: 400 });
      }
      scanInput.current?.focus();
    },
    [counter, quantity, expected, closedOnServer],
  );
  const scanFromElsewhere = useCallback((code: string) => void submit(code), [submit]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit(scanInput.current?.take() ?? '');
  };

  const { recent, lines, rejected } = counter.tally;
  const shownLines = useThrottled(lines, 1_000);
  const phase = counter.syncState?.phase;

  return (
    <section className={styles.counter}>
      <div className={styles.titleRow}>
        <h1>Recebimento · {storeName}</h1>
        <Link href="/receiving" className="btn btn-secondary">
          Entregas
        </Link>
      </div>
      <SyncStatusBar online={counter.online} pending={counter.pending} lastSyncAt={counter.lastSync?.at ?? null} phase={phase} task="receber" />
      {phase === 'login_needed' ? (
        <p className="alert alert-warning" role="alert">
          Sua sessão expirou: entre novamente para enviar as leituras. Elas continuam guardadas neste tablet.
        </p>
      ) : null}
      {phase === 'forbidden' ? (
        <p className="alert alert-error" role="alert">
          O servidor não deixou enviar esta entrega (ela é de outra loja, ou você não trabalha mais nesta). As leituras continuam guardadas neste tablet:
          chame o gerente.
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
      {phase === 'waiting' && counter.online && counter.syncState?.lastOutcome?.status === 'failed' && counter.syncState.attempt >= 3 ? (
        <p className="alert alert-warning" role="alert" data-testid="sync-failing">
          O envio está falhando. As leituras continuam guardadas neste tablet e o envio é tentado de novo sozinho; se continuar, chame o gerente.
        </p>
      ) : null}
      {counter.storageNearlyFull ? (
        <p className="alert alert-warning" role="alert">
          O espaço de armazenamento deste tablet está quase cheio: novas leituras podem não ser guardadas. Conecte-se à rede para enviar as pendentes.
        </p>
      ) : null}
      {storageError || counter.storageReadError ? (
        <p className="alert alert-error" role="alert">
          {storageError ?? counter.storageReadError}
        </p>
      ) : null}
      {counter.productsStale && !counter.downloading ? (
        <p className="alert alert-warning" role="alert">
          A lista de produtos deste tablet está desatualizada ou não foi baixada. Conecte-se para atualizá-la.
          {counter.productsError ? ` Falha ao baixar: ${counter.productsError}` : ''}
        </p>
      ) : null}

      {closedOnServer ? (
        <ClosedReceipt detail={detail.data} rejectedAfter={rejected.filter((s) => s.rejectReason === 'session_closed').length} />
      ) : (
        <form onSubmit={onSubmit} className={styles.scanForm}>
          <label htmlFor="scan-code" className="field-label">
            Código de barras
          </label>
          <div className="scan-row">
            <ScanCodeInput ref={scanInput} disabled={!counter.ready} onScan={scanFromElsewhere} />
            <button type="submit" className="btn btn-primary" disabled={!counter.ready}>
              Registrar
            </button>
          </div>
          <div className={styles.options}>
            <label className={styles.small}>
              Quantidade
              <input className="input" inputMode="decimal" value={quantity} onChange={(e) => setQuantity(e.target.value)} aria-label="Quantidade" />
            </label>
            <button type="button" className="btn btn-secondary" onClick={() => setCamera((c) => !c)} aria-pressed={camera}>
              Câmera
            </button>
          </div>
        </form>
      )}
      {camera && !closedOnServer ? <CameraScanner onCode={(c) => void submit(c)} onClose={() => setCamera(false)} /> : null}
      <div aria-live="polite" className={styles.feedback} data-testid="scan-feedback">
        {feedback ? <p className={feedback.ok ? styles.ok : styles.bad}>{feedback.text}</p> : <p className="muted">Pronto para ler.</p>}
      </div>
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
          <p className="alert-title">{rejected.length === 1 ? '1 leitura recusada' : `${rejected.length} leituras recusadas`}: não entram no estoque</p>
          <ul>
            {rejected.slice(-20).map((s) => (
              <li key={s.id}>
                {counter.lookupCached(s.ean)?.name ?? s.ean} · {formatQuantity(s.quantity)}: {scanProblem(s)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <section aria-labelledby="received-lines">
        <h2 id="received-lines" className="section-title">
          Recebido neste tablet ({lines.length === 1 ? '1 produto' : `${lines.length} produtos`})
        </h2>
        <table className="data-table" data-testid="received-lines">
          <thead>
            <tr>
              <th>Produto</th>
              <th>EAN</th>
              <th>Recebido</th>
              <th>Esperado</th>
            </tr>
          </thead>
          <tbody>
            {shownLines.slice(0, 300).map((l) => {
              const wanted = expected.get(l.ean);
              return (
                <tr key={l.ean}>
                  <td data-label="Produto">{l.name ?? 'Fora do cadastro: separar'}</td>
                  <td data-label="EAN" className="mono">
                    {l.ean}
                  </td>
                  <td data-label="Recebido">{quantityLabel(l.quantity, l.unit)}</td>
                  <td data-label="Esperado">
                    {wanted === undefined ? 'não consta nos pedidos' : quantityLabel(wanted, l.unit)}
                    {wanted !== undefined && l.quantity > wanted ? ` · excesso de ${formatQuantity(l.quantity - wanted)}` : ''}
                    {wanted !== undefined && l.quantity < wanted ? ` · faltam ${formatQuantity(wanted - l.quantity)}` : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <RecentScans
        recent={recent}
        nameOf={(ean) => counter.lookupCached(ean)?.name ?? null}
        canCorrect={!closedOnServer}
        problemOf={scanProblem}
        onUndo={(s) =>
          counter
            .correct(s, 0)
            .then(() => setStorageError(null))
            .catch((error: unknown) => setStorageError(`Não foi possível desfazer a leitura: ${(error as Error).message}`))
            .finally(() => scanInput.current?.focus())
        }
        onCorrect={setCorrecting}
      />

      {closedOnServer ? null : (
        <ClosePanel
          receiptId={receiptId}
          isManager={isManager}
          online={counter.online}
          pending={counter.pending}
          detail={detail.data}
          onClosed={() => {
            forgetReceipt(me.user.id, receiptId);
            void Promise.all([utils.receiving.byId.invalidate({ id: receiptId }), utils.receiving.toReceive.invalidate()]);
          }}
        />
      )}
      <p className="muted" data-testid="products-on-tablet">
        Produtos no tablet: {counter.productsMeta?.count ?? 0}
        {counter.downloading ? ' · baixando…' : ''}
      </p>
      <button type="button" className="btn btn-secondary" onClick={() => counter.syncNow()} disabled={!counter.online}>
        Sincronizar agora
      </button>
    </section>
  );
}

/**
 * Closing: online, with every scan of this tablet on the server. The server's lines (every tablet's scans) say what
 * goes into stock; more than the requests expect needs a manager, and an unknown code stays aside.
 */
function ClosePanel({
  receiptId,
  isManager,
  online,
  pending,
  detail,
  onClosed,
}: {
  receiptId: string;
  isManager: boolean;
  online: boolean;
  pending: number | null;
  detail: ReceiptDetail | undefined;
  onClosed: () => void;
}) {
  const utils = api.useUtils();
  // Refused (new scans meanwhile, excess): the lines are read again for the next decision.
  const close = api.receiving.close.useMutation({ onSuccess: onClosed, onError: () => void utils.receiving.byId.invalidate({ id: receiptId }) });
  const [acceptExcess, setAcceptExcess] = useState(false);
  const devicesPending = close.error?.data?.reason === 'receipt_devices_pending';
  const excess = detail?.lines.filter((l) => l.excess > 0) ?? [];
  const short = detail?.lines.filter((l) => l.productId !== null && l.received < l.expected) ?? [];
  const blocked = !online
    ? 'Conecte-se à rede para fechar a entrega.'
    : pending === null
      ? 'Lendo as leituras guardadas neste tablet…'
      : pending > 0
        ? 'Aguarde o envio das leituras pendentes.'
        : !detail
          ? 'Carregando a conferência…'
          : null;
  return (
    <section className="card" aria-labelledby="close-receipt" data-testid="close-receipt">
      <h2 id="close-receipt" className="section-title">
        Fechar a entrega
      </h2>
      {detail ? (
        <p>
          No servidor: {detail.lines.length === 1 ? '1 produto' : `${detail.lines.length} produtos`}
          {short.length ? ` · ${short.length} abaixo do pedido (o resto continua a receber)` : ''}
          {detail.unknownEans.length ? ` · ${detail.unknownEans.length} código(s) fora do cadastro, separados` : ''}.
        </p>
      ) : null}
      {excess.length > 0 ? (
        <div className="alert alert-warning" data-testid="receipt-excess">
          <p className="alert-title">Chegou mais do que os pedidos esperam</p>
          <ul>
            {excess.map((l) => (
              <li key={l.ean}>
                {l.name ?? l.ean}: recebido {formatQuantity(l.received)}, esperado {formatQuantity(l.expected)} (excesso de {formatQuantity(l.excess)})
              </li>
            ))}
          </ul>
          {isManager ? (
            <label className="checkbox-field">
              <input type="checkbox" checked={acceptExcess} onChange={(e) => setAcceptExcess(e.target.checked)} /> Aceitar o excesso no estoque
            </label>
          ) : (
            <p>Só um gerente pode aceitar o excesso: peça a ele para abrir esta entrega e fechá-la.</p>
          )}
        </div>
      ) : null}
      {close.error ? (
        <p className="alert alert-error" role="alert">
          {describeError(close.error)}
        </p>
      ) : null}
      {blocked ? <p className="muted">{blocked}</p> : null}
      <button
        type="button"
        className="btn btn-primary"
        disabled={!!blocked || close.isPending || (excess.length > 0 && !acceptExcess)}
        onClick={() => close.mutate({ id: receiptId, acceptExcess: acceptExcess || undefined, entryCount: detail?.entryCount })}
      >
        {close.isPending ? 'Fechando…' : 'Fechar entrega e atualizar o estoque'}
      </button>
      {devicesPending && isManager ? (
        <button
          type="button"
          className="btn btn-danger"
          disabled={close.isPending}
          onClick={() => close.mutate({ id: receiptId, acceptExcess: acceptExcess || undefined, entryCount: detail?.entryCount, withoutPending: true })}
        >
          Fechar sem as leituras dos outros tablets
        </button>
      ) : null}
    </section>
  );
}

function ClosedReceipt({ detail, rejectedAfter }: { detail: ReceiptDetail | undefined; rejectedAfter: number }) {
  return (
    <div className="alert alert-success" role="status" data-testid="receipt-closed">
      <p className="alert-title">Entrega fechada{detail?.receipt.closedAt ? ` em ${formatTime(detail.receipt.closedAt)}` : ''}: o estoque foi atualizado</p>
      {detail ? (
        <ul>
          {detail.lines.map((l) => (
            <li key={l.ean}>
              {l.name ?? `${l.ean} (fora do cadastro, separado)`}: {formatQuantity(l.received)}
            </li>
          ))}
        </ul>
      ) : null}
      {rejectedAfter > 0 ? <p>{rejectedAfter === 1 ? '1 leitura feita' : `${rejectedAfter} leituras feitas`} depois do fechamento não entrou no estoque: veja abaixo.</p> : null}
      <Link href="/receiving" className="btn btn-primary">
        Voltar às entregas
      </Link>
    </div>
  );
}
