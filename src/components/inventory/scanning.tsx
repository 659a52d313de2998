'use client';

/**
 * The pieces of a scanning screen that counting and receiving share: the scan field fed by a keyboard-wedge
 * scanner, the correction form, the list of the latest scans with undo and correct, and the throttle that keeps a
 * long table from repainting on every scan. Their state lives in the scan log hook (`./use-offline-counter`).
 */
import { memo, useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { isStorableCountQuantity } from '~/lib/count-quantity';
import type { ScanRecord } from '~/offline/db';
import type { RecentScan } from '~/offline/tally';
import { formatTime, rejectReasonLabel } from './shared';
import { useOfflineReady } from './use-offline-ready';
import type { OfflineWorkerProblem } from '~/lib/browser/offline-worker';
import type { SyncState } from '~/offline/sync';
import { formatQuantity, isAmbiguousDecimal, parseSignedDecimal, quantityInputValue } from '../ui/format';
import { Notice } from '../ui/feedback';
import { useKeyboardWedge } from '../ui/keyboard-wedge';
import styles from './inventory.module.css';

export function vibrate(ms: number | number[]) {
  try {
    navigator.vibrate?.(ms);
  } catch {
    // Not every browser lets a page vibrate.
  }
}

/**
 * `value`, changed at most once per `ms`: the first change after a quiet spell shows at once, a burst shows its
 * latest value `ms` apart and its last value at the end.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const lastShown = useRef(0);
  useEffect(() => {
    const show = () => {
      lastShown.current = performance.now();
      setShown(value);
    };
    const wait = lastShown.current + ms - performance.now();
    if (wait <= 0) return show();
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}

export function CorrectionForm({ scan, onSave, onCancel }: { scan: ScanRecord; onSave: (quantity: number) => Promise<void>; onCancel: () => void }) {
  const [value, setValue] = useState(quantityInputValue(scan.quantity));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const q = parseSignedDecimal(value);
  const ambiguous = isAmbiguousDecimal(value);
  const valid = q !== null && isStorableCountQuantity(q) && !ambiguous;
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid || saving) return;
        setSaving(true);
        setError(null);
        onSave(q)
          .catch((failure: unknown) => setError(`Não foi possível salvar a correção: ${(failure as Error).message}`))
          .finally(() => setSaving(false));
      }}
    >
      <p>
        Corrigir a leitura de <span className="mono">{scan.ean}</span> (era {formatQuantity(scan.quantity)}). A leitura original fica no registro.
      </p>
      <label className={styles.small}>
        Quantidade correta
        <input className="input" inputMode="decimal" autoFocus value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={valid ? undefined : true} />
      </label>
      {!valid && value.trim() !== '' ? (
        <p className="field-error">{ambiguous ? ambiguousQuantity(value) : 'Use um número até 1.000.000, com no máximo 3 casas decimais (0 desfaz a leitura).'}</p>
      ) : null}
      {error ? (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={!valid || saving}>
          {saving ? 'Salvando…' : 'Salvar correção'}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancelar
        </button>
      </div>
    </form>
  );
}

export const ambiguousQuantity = (text: string) =>
  `Quantidade "${text.trim()}" ambígua: use vírgula para as casas decimais (${text.trim().replace('.', ',')}) ou escreva sem ponto (${text.trim().replace('.', '')}).`;

export type ScanCodeHandle = { take: () => string; focus: () => void };

/**
 * The scan field. A keyboard-wedge scanner types a code a key at a time, so the text lives here: each keystroke
 * re-renders this input, not the whole counting screen with its lists. The form takes the code on submit. Digits
 * typed outside any field come here too, and a scan typed into another field (Quantidade, Zona, a correction) goes
 * to `onScan` (useKeyboardWedge).
 */
export const ScanCodeInput = memo(function ScanCodeInput({ ref, disabled, onScan }: { ref: Ref<ScanCodeHandle>; disabled: boolean; onScan: (code: string) => void }) {
  const [code, setCode] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useImperativeHandle(
    ref,
    () => ({
      take: () => {
        setCode('');
        return code;
      },
      focus: () => input.current?.focus(),
    }),
    [code],
  );

  useKeyboardWedge(input, onScan);
  // Not autoFocus: the field mounts disabled (until the scan log is open), and a disabled field takes no focus.
  useEffect(() => {
    if (!disabled) input.current?.focus();
  }, [disabled]);

  return (
    <input
      id="scan-code"
      ref={input}
      className="input scan-input"
      inputMode="numeric"
      autoComplete="off"
      placeholder="Leia ou digite o EAN e Enter"
      value={code}
      onChange={(e) => setCode(e.target.value.replace(/[^\d]/g, ''))}
      disabled={disabled}
    />
  );
});

/** The newest scans first, each with undo and correct until it is corrected, refused, or the log is closed. */
export function RecentScans({
  recent,
  nameOf,
  canCorrect,
  problemOf = (scan) => rejectReasonLabel(scan.rejectReason, scan.rejectMessage),
  onUndo,
  onCorrect,
}: {
  recent: readonly RecentScan[];
  nameOf: (ean: string) => string | null;
  canCorrect: boolean;
  /** Why the server refused a scan, in the screen's words (counting's by default). */
  problemOf?: (scan: ScanRecord) => string;
  onUndo: (scan: ScanRecord) => Promise<unknown>;
  onCorrect: (scan: ScanRecord) => void;
}) {
  const [undoing, setUndoing] = useState<string | null>(null);
  return (
    <>
      <h2 className="section-title">Últimas leituras</h2>
      <ul className={styles.recent} data-testid="recent-scans">
        {recent.map(({ scan: s, replaced }) => (
          <li key={s.id} className={replaced ? styles.voided : undefined}>
            <span>
              {nameOf(s.ean) ?? s.ean} · {s.replaces ? (s.quantity === 0 ? 'desfeita' : `corrigida para ${formatQuantity(s.quantity)}`) : `+${formatQuantity(s.quantity)}`}
              {s.zone ? ` · ${s.zone}` : ''} {s.status === 'rejected' ? <em className={styles.bad}>recusada: {problemOf(s)}</em> : null}
            </span>
            {!s.replaces && !replaced && s.status !== 'rejected' && canCorrect ? (
              <span className={styles.rowActions}>
                <button
                  type="button"
                  className="btn btn-secondary"
                  disabled={undoing === s.id}
                  onClick={() => {
                    setUndoing(s.id);
                    void onUndo(s).finally(() => setUndoing(null));
                  }}
                >
                  {undoing === s.id ? 'Desfazendo…' : 'Desfazer'}
                </button>
                <button type="button" className="btn btn-secondary" onClick={() => onCorrect(s)}>
                  Corrigir
                </button>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * The sticky line over a scanning screen: online or not, scans waiting, the last sync, a retry coming, and whether the
 * page would open with the network off (`task`: what the clerk does here, "contar" or "receber").
 */
export function SyncStatusBar({ online, pending, lastSyncAt, phase, task }: { online: boolean; pending: number | null; lastSyncAt: string | null; phase: SyncState['phase'] | undefined; task: string }) {
  const offlineReady = useOfflineReady();
  const blocked = offlineReady === 'insecure' || offlineReady === 'unsupported' || offlineReady === 'refused';
  return (
    <>
      <div className={styles.statusBar} role="status" aria-label="Situação da sincronização">
        <span className={online ? styles.online : styles.offline} data-testid="network-status">
          {online ? 'Online' : 'Offline'}
        </span>
        <span>
          Pendentes: <strong data-testid="pending-count">{pending ?? '…'}</strong>
        </span>
        <span>
          Última sincronização: <strong data-testid="last-sync">{lastSyncAt ? formatTime(lastSyncAt) : 'nunca'}</strong>
        </span>
        <span>{phase === 'syncing' ? 'Sincronizando…' : phase === 'waiting' && online ? 'Nova tentativa em breve' : ''}</span>
        {offlineReady === 'development' ? null : (
          <span data-testid="offline-ready" data-state={offlineReady}>
            {offlineReady === 'ready'
              ? `Pronto para ${task} sem rede`
              : blocked
                ? `Sem modo offline: só dá para ${task} com rede`
                : online
                  ? `Preparando para ${task} sem rede…`
                  : 'Esta página ainda não abre sem rede'}
          </span>
        )}
      </div>
      {blocked ? <OfflineUnavailable reason={offlineReady} task={task} /> : null}
    </>
  );
}

const offlineUnavailableText: Record<OfflineWorkerProblem, string> = {
  insecure:
    'Este endereço não é seguro (HTTP): o navegador não deixa o MyInventory funcionar sem rede nem usar a câmera aqui. As leituras ficam guardadas neste tablet, mas a página não abre sem rede.',
  refused:
    'O navegador não ativou o modo offline: o certificado do servidor não é confiável neste tablet (um aviso de segurança foi ignorado para chegar aqui). As leituras ficam guardadas neste tablet, mas a página não abre sem rede.',
  unsupported: 'Este navegador não tem modo offline (por exemplo, numa janela anônima). As leituras ficam guardadas neste tablet, mas a página não abre sem rede.',
};

/** Why this screen cannot work offline here, and where to fix it (the store's install page). */
function OfflineUnavailable({ reason, task }: { reason: OfflineWorkerProblem; task: string }) {
  return (
    <div className={styles.offlineUnavailable} data-testid="offline-unavailable" data-reason={reason}>
      <Notice tone="warning">
        <strong>Sem modo offline neste tablet: só dá para {task} com rede.</strong> {offlineUnavailableText[reason]}{' '}
        {reason === 'unsupported' ? (
          'Abra o MyInventory numa janela normal do Chrome ou do Safari.'
        ) : (
          <a href="/instalar">Como instalar o certificado da loja neste tablet</a>
        )}
      </Notice>
    </div>
  );
}
