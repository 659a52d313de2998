'use client';

import { onlineManager, useQueryClient, type QueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { isValidEan13 } from '~/lib/ean';
import { lineTotal, linesTotal } from '~/lib/money';
import { describeError, errorCode, fieldErrors, isNetworkError } from '~/lib/trpc/errors';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { beep } from '~/lib/ui/beep';
import { randomUuid } from '~/lib/ui/uuid';
import { RegisterFromOffButton, useRegisterFromOff } from '../catalogue/register-from-off';
import { useSession } from '../session';
import { SelectField, TextAreaField } from '../ui/fields';
import { ErrorAlert, Notice } from '../ui/feedback';
import { formatMoney, formatQuantity, parseDecimal, quantityInputValue, shortId } from '../ui/format';
import { useKeyboardWedge } from '../ui/keyboard-wedge';
import { PageHeader } from '../ui/page-header';
import { WithProductPhoto } from '../ui/product-photo';
import { checkQuantity } from './quantity';
import { useRequesterStores } from './stores';
import styles from './request-editor.module.css';

type Product = RouterOutputs['products']['byEan'];
type Line = { product: Product; quantity: string; note: string };
/** `missingEan`: the code is valid but not in the catalogue (a buyer or admin may register it from Open Food Facts). */
type ScanStatus = { tone: 'ok' | 'error'; text: string; missingEan?: string } | null;
type ErrorLike = { message: string; data?: unknown };

/** The catalogue changes rarely; a product scanned twice in a session is looked up once. */
const LOOKUP_STALE_MS = 5 * 60_000;

/**
 * Offline: a product this tablet already has, looked up before or listed on a catalogue page it kept (React
 * Query's cache, kept in IndexedDB). Its active flag is as of that answer; the server checks again on arrival.
 */
function keptProduct(queryClient: QueryClient, ean: string): Product | undefined {
  const isProduct = (value: unknown): value is Product => {
    const p = value as Partial<Product> | null;
    return !!p && typeof p === 'object' && p.ean === ean && typeof p.id === 'string' && typeof p.name === 'string';
  };
  for (const query of queryClient.getQueryCache().findAll({ queryKey: [['products']] })) {
    const data = query.state.data as unknown;
    if (isProduct(data)) return data;
    const pages = (data as { pages?: { items?: unknown[] }[] } | undefined)?.pages;
    const found = pages?.flatMap((page) => page.items ?? []).find(isProduct);
    if (found) return found;
  }
  return undefined;
}

function addOne(quantity: string): string {
  return quantityInputValue((parseDecimal(quantity) ?? 0) + 1);
}

/**
 * A new purchase request, built by scanning: a keyboard-wedge scanner types 13 digits and Enter into the scan
 * field, or into whatever has the focus (useKeyboardWedge brings it back). The request id is made once per editor and reused on
 * every retry: the server's create is idempotent by id, so a slow or lost answer never makes two requests.
 */
export function RequestEditor() {
  const router = useRouter();
  const utils = api.useUtils();
  const queryClient = useQueryClient();
  const { user } = useSession();
  const stores = useRequesterStores();
  const scanId = useId();
  const scanRef = useRef<HTMLInputElement>(null);

  const [storeId, setStoreId] = useState(() => (stores.length === 1 ? stores[0]!.id : ''));
  const [lines, setLines] = useState<Line[]>([]);
  const [note, setNote] = useState('');
  const [scan, setScan] = useState('');
  const [scanStatus, setScanStatus] = useState<ScanStatus>(null);
  const [lastScannedId, setLastScannedId] = useState<string | null>(null);
  const [lookups, setLookups] = useState(0);
  const [showErrors, setShowErrors] = useState(false);

  const [requestId, setRequestId] = useState(randomUuid);
  // What was last sent under `requestId`: a different list must not be sent under the same id (see send()).
  const lastSent = useRef<{ key: string; submit: boolean } | null>(null);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<ErrorLike | null>(null);
  const [alreadySaved, setAlreadySaved] = useState(false);
  const [sending, setSending] = useState<'draft' | 'submit' | null>(null);

  const create = api.purchaseRequests.create.useMutation();
  const busy = create.isPending || checking || create.isSuccess;
  // Offline (or the server out of reach): the request waits on this tablet (kept in IndexedDB) and is sent when the
  // connection is back.
  const queued = create.isPaused || (create.isPending && create.failureCount > 0 && isNetworkError(create.failureReason));

  // Scanned work is not thrown away by closing or reloading the tab by mistake (a queued request is kept).
  const unsaved = lines.length > 0 && !create.isSuccess && !queued;
  useEffect(() => {
    if (!unsaved) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [unsaved]);

  const fail = (text: string, missingEan?: string) => {
    setScanStatus({ tone: 'error', text, missingEan });
    beep();
  };

  const addProduct = (product: Product) => {
    setLines((current) => {
      const index = current.findIndex((l) => l.product.id === product.id);
      if (index === -1) return [...current, { product, quantity: '1', note: '' }];
      return current.map((l, i) => (i === index ? { ...l, quantity: addOne(l.quantity) } : l));
    });
    setLastScannedId(product.id);
    setScanStatus({ tone: 'ok', text: product.name });
  };

  const lookUp = async (raw: string) => {
    const code = raw.replace(/\s/g, '');
    if (code === '') return;
    if (busy) return fail('Aguarde: a solicitação está sendo enviada.');
    if (!/^\d+$/.test(code)) return fail(`"${code}" não é um código de barras: use só números.`);
    if (code.length !== 13) return fail(`O código ${code} tem ${code.length} dígitos; um EAN-13 tem 13. Escaneie de novo.`);
    if (!isValidEan13(code)) return fail(`Dígito verificador incorreto no código ${code}. Escaneie de novo ou digite com cuidado.`);
    if (!onlineManager.isOnline()) {
      const kept = keptProduct(queryClient, code);
      if (!kept) return fail(`Sem conexão, e o EAN ${code} não está salvo neste tablet. Abra o catálogo com conexão para usá-lo offline, ou tente quando a conexão voltar.`);
      if (!kept.active) return fail(`${kept.name} (EAN ${code}) está inativo no catálogo e não pode ser solicitado.`);
      return addProduct(kept);
    }
    setLookups((n) => n + 1);
    try {
      const product = await utils.products.byEan.fetch({ ean: code }, { staleTime: LOOKUP_STALE_MS });
      if (!product.active) fail(`${product.name} (EAN ${code}) está inativo no catálogo e não pode ser solicitado.`);
      else addProduct(product);
    } catch (error) {
      if (errorCode(error as ErrorLike) === 'NOT_FOUND') fail(`Produto não encontrado: nenhum produto com o EAN ${code} no catálogo.`, code);
      else fail(`Não foi possível procurar o EAN ${code}: ${describeError(error as ErrorLike)}`);
    } finally {
      setLookups((n) => n - 1);
    }
  };

  const onScanKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    // The DOM value, not state: a scanner types faster than a render, and Enter must see every digit.
    const code = event.currentTarget.value;
    setScan('');
    void lookUp(code);
  };

  // A product registered from Open Food Facts joins the request as if it had been scanned.
  const fromOff = useRegisterFromOff({
    onCreated: (product) => {
      void utils.products.byEan.invalidate({ ean: product.ean });
      addProduct(product);
      scanRef.current?.focus();
    },
  });

  // A scan with the focus elsewhere (a quantity, a note, a button just tapped) is still a scan.
  useKeyboardWedge(scanRef, (code) => void lookUp(code));

  const addTyped = () => {
    const code = scan;
    setScan('');
    scanRef.current?.focus();
    void lookUp(code);
  };

  const updateLine = (productId: string, change: Partial<Line>) =>
    setLines((current) => current.map((l) => (l.product.id === productId ? { ...l, ...change } : l)));

  const removeLine = (productId: string) => {
    setLines((current) => current.filter((l) => l.product.id !== productId));
    scanRef.current?.focus();
  };

  const stepLine = (line: Line, delta: number) => {
    const next = (parseDecimal(line.quantity) ?? 0) + delta;
    if (next > 0) updateLine(line.product.id, { quantity: quantityInputValue(Math.round(next * 1000) / 1000) });
  };

  const checked = lines.map((line) => ({ line, quantity: checkQuantity(line.quantity) }));
  const invalidLines = checked.filter((c) => c.quantity.error).length;
  const units = checked.reduce((sum, c) => sum + (c.quantity.value ?? 0), 0);
  const estimatedTotal = linesTotal(checked.map((c) => ({ quantity: c.quantity.value ?? 0, unitPrice: c.line.product.referencePrice })));
  const storeError = showErrors && !storeId ? 'Escolha a loja' : undefined;
  const serverErrors = fieldErrors(create.error);

  const send = async (submit: boolean) => {
    setSending(submit ? 'submit' : 'draft');
    setShowErrors(true);
    setCheckError(null);
    if (!storeId || lines.length === 0 || invalidLines > 0) {
      if (lines.length === 0) fail('Escaneie pelo menos um produto antes de salvar.');
      return;
    }
    const payload = {
      storeId,
      note: note.trim() || null,
      items: checked.map(({ line, quantity }) => ({ productId: line.product.id, quantity: quantity.value!, note: line.note.trim() || null })),
    };
    const key = JSON.stringify(payload);
    if (lastSent.current && lastSent.current.key !== key) {
      // The list changed after an attempt whose answer never came (or failed after saving): if that attempt was
      // saved, this id already names a request with the old list, and sending again would not change it.
      setChecking(true);
      try {
        await utils.client.purchaseRequests.byId.query({ id: requestId });
        setAlreadySaved(true);
        return;
      } catch (error) {
        if (errorCode(error as ErrorLike) !== 'NOT_FOUND') {
          setCheckError(error as ErrorLike);
          return;
        }
      } finally {
        setChecking(false);
      }
    }
    lastSent.current = { key, submit };
    // Opened when it lands while this editor still shows it: a request queued offline and left behind (a new one
    // started meanwhile) lands on its own, without taking the person away from what they are doing.
    create.mutate(
      { id: requestId, ...payload, submit },
      { onSuccess: (request, variables) => router.push(`/purchase-requests/${request.id}?created=${variables.submit ? 'submitted' : 'draft'}`) },
    );
  };

  const startOver = () => {
    setRequestId(randomUuid());
    lastSent.current = null;
    setAlreadySaved(false);
    create.reset();
    scanRef.current?.focus();
  };

  /** After a request queued offline: an empty editor under a new id (the queued one is sent on its own). */
  const newRequest = () => {
    setLines([]);
    setNote('');
    setScanStatus(null);
    setShowErrors(false);
    startOver();
  };

  const lastLine = lines.find((l) => l.product.id === lastScannedId);

  if (stores.length === 0) {
    return (
      <>
        <PageHeader title="Nova solicitação de compra" />
        <Notice tone="warning">
          <p>Você não está vinculado(a) a nenhuma loja ativa, então não pode criar solicitações. Peça a um administrador para incluir você em uma loja.</p>
        </Notice>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Nova solicitação de compra"
        description="Escaneie os produtos que faltam na loja. Ler o mesmo produto de novo soma 1 à quantidade."
        actions={
          <Link href="/purchase-requests" className="btn btn-secondary">
            Voltar para a lista
          </Link>
        }
      />

      {/* No submit button on purpose: Enter in a quantity or a note (or a scan landing in the wrong field) must not send the request. */}
      <form className={styles.editor} onSubmit={(e) => e.preventDefault()} noValidate aria-label="Nova solicitação de compra">
        <div className={styles.editorTop}>
          {stores.length === 1 ? (
            <p className="readonly-field">
              <span className="field-label">Loja</span> {stores[0]!.name}
            </p>
          ) : (
            <SelectField label="Loja" value={storeId} onChange={(e) => setStoreId(e.target.value)} required error={storeError ?? serverErrors.storeId} disabled={busy}>
              <option value="">Escolha a loja…</option>
              {stores.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </SelectField>
          )}

          <div className={`field scan-field${scanStatus?.tone === 'error' ? ' field-invalid' : ''}`}>
            <label htmlFor={scanId} className="field-label">
              Código de barras (EAN)
            </label>
            <div className="scan-row">
              <input
                id={scanId}
                ref={scanRef}
                className="input scan-input"
                value={scan}
                onChange={(e) => setScan(e.target.value)}
                onKeyDown={onScanKeyDown}
                inputMode="numeric"
                autoComplete="off"
                autoCorrect="off"
                spellCheck={false}
                enterKeyHint="enter"
                maxLength={32}
                // The clerk arrives to scan: the field is ready for the first beep of the scanner.
                autoFocus
                readOnly={busy}
                aria-invalid={scanStatus?.tone === 'error' ? true : undefined}
                aria-describedby={`${scanId}-hint ${scanId}-status`}
              />
              <button type="button" className="btn btn-secondary" onClick={addTyped} disabled={busy || scan.trim() === ''}>
                Adicionar
              </button>
            </div>
            <p id={`${scanId}-hint`} className="field-hint">
              Escaneie, ou digite os 13 dígitos e tecle Enter.
            </p>
            <p
              id={`${scanId}-status`}
              className={`scan-status${scanStatus ? ` scan-status-${scanStatus.tone}` : ''}`}
              aria-live="assertive"
              aria-atomic="true"
            >
              {scanStatus?.tone === 'error' ? (
                <>
                  <span aria-hidden="true">⚠ </span>
                  {scanStatus.text}
                </>
              ) : scanStatus && lastLine ? (
                <>
                  <span aria-hidden="true">✓ </span>
                  <strong>{lastLine.product.name}</strong> — quantidade {lastLine.quantity}
                </>
              ) : lookups > 0 ? (
                'Procurando o produto…'
              ) : null}
            </p>
            {scanStatus?.missingEan && fromOff.allowed ? (
              <RegisterFromOffButton ean={scanStatus.missingEan} asking={fromOff.asking} onStart={fromOff.start} disabled={busy} />
            ) : null}
          </div>
        </div>

        <p className={styles.editorSummary} role="status">
          <strong>{lines.length === 1 ? '1 produto' : `${lines.length} produtos`}</strong> · {formatQuantity(units)} {units === 1 ? 'unidade' : 'unidades'} ·
          total estimado <strong>{formatMoney(estimatedTotal)}</strong>
          {lookups > 0 ? <span className="muted"> · procurando {lookups}…</span> : null}
        </p>

        {lines.length === 0 ? (
          <p className="empty-state">Nenhum produto ainda. Escaneie o primeiro código de barras.</p>
        ) : (
          <ol className="line-list" aria-label="Produtos da solicitação">
            {checked.map(({ line, quantity }) => {
              const name = line.product.name;
              const quantityError = showErrors || line.quantity.trim() !== '' ? quantity.error : undefined;
              const qtyId = `${scanId}-q-${line.product.id}`;
              const noteId = `${scanId}-n-${line.product.id}`;
              return (
                <li key={line.product.id} className={line.product.id === lastScannedId ? `line-card ${styles.lineCardLast}` : 'line-card'}>
                  <div className={styles.lineProduct}>
                    <WithProductPhoto productId={line.product.id} photoId={line.product.photoId} name={name}>
                      <span className={styles.lineName}>{name}</span>
                      <span className={`muted ${styles.lineMeta}`}>
                        <span className="mono">{line.product.ean}</span> · {formatMoney(line.product.referencePrice)} / {line.product.unit}
                        {line.product.buyerName ? ` · comprador: ${line.product.buyerName}` : ''}
                      </span>
                    </WithProductPhoto>
                  </div>
                  <div className={`field line-quantity${quantityError ? ' field-invalid' : ''}`}>
                    <label htmlFor={qtyId} className="field-label">
                      Quantidade<span className="sr-only"> de {name}</span>
                    </label>
                    <div className={styles.stepper}>
                      <button
                        type="button"
                        className={`btn btn-secondary ${styles.btnIconText}`}
                        onClick={() => stepLine(line, -1)}
                        disabled={busy || (parseDecimal(line.quantity) ?? 0) <= 1}
                        aria-label={`Diminuir a quantidade de ${name}`}
                      >
                        −
                      </button>
                      <input
                        id={qtyId}
                        className={`input ${styles.stepperInput}`}
                        value={line.quantity}
                        onChange={(e) => updateLine(line.product.id, { quantity: e.target.value })}
                        inputMode={line.product.unit === 'un' ? 'numeric' : 'decimal'}
                        autoComplete="off"
                        disabled={busy}
                        aria-invalid={quantityError ? true : undefined}
                        aria-describedby={quantityError ? `${qtyId}-error` : undefined}
                      />
                      <button
                        type="button"
                        className={`btn btn-secondary ${styles.btnIconText}`}
                        onClick={() => stepLine(line, 1)}
                        disabled={busy}
                        aria-label={`Aumentar a quantidade de ${name}`}
                      >
                        +
                      </button>
                    </div>
                    {quantityError ? (
                      <p id={`${qtyId}-error`} className="field-error">
                        {quantityError}
                      </p>
                    ) : null}
                  </div>
                  <div className="field line-note">
                    <label htmlFor={noteId} className="field-label">
                      Observação<span className="sr-only"> de {name}</span>
                    </label>
                    <input
                      id={noteId}
                      className="input"
                      value={line.note}
                      onChange={(e) => updateLine(line.product.id, { note: e.target.value })}
                      maxLength={500}
                      autoComplete="off"
                      disabled={busy}
                    />
                  </div>
                  <div className={styles.lineEnd}>
                    <p className={styles.lineTotal}>
                      <span className="muted">Total </span>
                      {formatMoney(lineTotal(quantity.value ?? 0, line.product.referencePrice))}
                    </p>
                    <button type="button" className="btn btn-danger-outline btn-small" onClick={() => removeLine(line.product.id)} disabled={busy} aria-label={`Remover ${name}`}>
                      Remover
                    </button>
                  </div>
                </li>
              );
            })}
          </ol>
        )}

        <TextAreaField
          label="Observação da solicitação"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={1000}
          rows={2}
          disabled={busy}
          hint="Opcional. Por exemplo: ruptura na gôndola, promoção, evento."
          error={serverErrors.note}
        />

        {showErrors && invalidLines > 0 ? (
          <p className="field-error" role="alert">
            Corrija a quantidade de {invalidLines === 1 ? '1 produto' : `${invalidLines} produtos`} antes de salvar.
          </p>
        ) : null}

        {alreadySaved ? (
          <Notice tone="warning">
            <p>
              A tentativa anterior já tinha sido registrada como a solicitação <strong>{shortId(requestId)}</strong>, com a lista daquele momento; as
              mudanças feitas depois não entraram nela.
            </p>
            <p className="inline-actions">
              <Link href={`/purchase-requests/${requestId}`} className="btn btn-secondary">
                Abrir a solicitação {shortId(requestId)}
              </Link>
              <button type="button" className="btn btn-primary" onClick={startOver}>
                Criar outra com a lista atual
              </button>
            </p>
          </Notice>
        ) : null}
        {queued ? (
          <Notice tone="info">
            <p role="status">
              <strong>Sem conexão.</strong>{' '}
              {create.variables?.submit ? 'A solicitação ficou guardada neste tablet e será enviada' : 'O rascunho ficou guardado neste tablet e será enviado'}{' '}
              automaticamente quando a conexão voltar, mesmo que você feche esta página. Acompanhe em “alterações pendentes”, no topo.
            </p>
            <p className="inline-actions">
              <Link href="/purchase-requests" className="btn btn-secondary">
                Ver as solicitações
              </Link>
              <button type="button" className="btn btn-primary" onClick={newRequest}>
                Nova solicitação
              </button>
            </p>
          </Notice>
        ) : null}
        {checkError ? <ErrorAlert error={checkError} title="Não foi possível conferir a tentativa anterior" onRetry={() => void send(sending === 'submit')} /> : null}
        {create.isError ? (
          <ErrorAlert
            error={create.error}
            title={create.variables?.submit ? 'A solicitação não foi enviada' : 'O rascunho não foi salvo'}
            // Same id, same list: if the first try did reach the server, the retry returns that request instead of a copy.
            onRetry={busy ? undefined : () => void send(create.variables?.submit ?? true)}
          />
        ) : null}

        <div className={`form-actions ${styles.editorActions}`}>
          <button type="button" className="btn btn-secondary" onClick={() => void send(false)} disabled={busy || alreadySaved}>
            {queued && sending === 'draft' ? 'Aguardando conexão…' : busy && sending === 'draft' ? 'Salvando…' : 'Salvar rascunho'}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void send(true)} disabled={busy || alreadySaved}>
            {queued && sending === 'submit' ? 'Aguardando conexão…' : busy && sending === 'submit' ? 'Enviando…' : 'Enviar para aprovação'}
          </button>
        </div>
        {user.role === 'admin' ? <p className="muted">Como administrador, você pode criar solicitações para qualquer loja ativa.</p> : null}
      </form>
      {fromOff.dialog}
    </>
  );
}
