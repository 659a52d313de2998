'use client';

import { useId, useState } from 'react';
import { labelSheetIds, labelSheets, labelsPerSheet, MAX_LABELS_PER_PDF, sheetsFor, type LabelSheetId } from '~/lib/label-sheets';
import { fileRouteError } from '~/lib/trpc/errors';
import { ErrorAlert } from '../ui/feedback';
import { Modal } from '../ui/modal';
import styles from './catalogue.module.css';

export type ChosenProduct = { id: string; name: string };

type DownloadError = ReturnType<typeof fileRouteError> | Error;

/** The filename the server gave (`attachment; filename="…"`), or a plain one. */
const filenameOf = (disposition: string | null) => /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? 'etiquetas.pdf';

/**
 * Asks the server for the PDF (POST /api/labels.pdf: a thousand ids do not fit in a link) and saves it under the
 * server's name. A refusal comes back as the error the dialog words in Portuguese.
 */
async function downloadLabels(input: { productIds: string[]; layout: LabelSheetId; skip: number }): Promise<void> {
  const res = await fetch('/api/labels.pdf', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input), credentials: 'same-origin' });
  if (!res.ok) throw fileRouteError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filenameOf(res.headers.get('content-disposition'));
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const sheetsText = (n: number) => (n === 1 ? '1 folha' : `${n} folhas`);

/** "Etiquetas": the chosen products' shelf labels as a PDF of A4 label sheets, one label each. */
export function LabelsDialog({ open, products, onClose }: { open: boolean; products: ChosenProduct[]; onClose: () => void }) {
  const [layout, setLayout] = useState<LabelSheetId>('a4-21');
  const [start, setStart] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DownloadError | null>(null);
  const [saved, setSaved] = useState(false);
  const startId = useId();

  const sheet = labelSheets[layout];
  const perSheet = labelsPerSheet(sheet);
  const startNumber = Number(start);
  const startValid = Number.isInteger(startNumber) && startNumber >= 1 && startNumber <= perSheet;
  const skip = startValid ? startNumber - 1 : 0;
  const tooMany = products.length > MAX_LABELS_PER_PDF;

  const close = () => {
    if (busy) return;
    setError(null);
    setSaved(false);
    onClose();
  };

  const submit = async () => {
    if (!startValid || tooMany || products.length === 0) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await downloadLabels({ productIds: products.map((p) => p.id), layout, skip });
      setSaved(true);
    } catch (e) {
      setError(e as DownloadError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title="Etiquetas de gôndola" onClose={close} busy={busy}>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p>
          {products.length === 1 ? '1 produto escolhido' : `${products.length.toLocaleString('pt-BR')} produtos escolhidos`}: uma etiqueta de cada, com nome, marca, preço
          de referência e código de barras, na ordem em que foram escolhidos.
        </p>
        {tooMany ? (
          <p className="alert alert-error" role="alert">
            No máximo {MAX_LABELS_PER_PDF.toLocaleString('pt-BR')} etiquetas por arquivo: tire {(products.length - MAX_LABELS_PER_PDF).toLocaleString('pt-BR')} produtos da seleção.
          </p>
        ) : null}
        <fieldset className={`field ${styles.sheetChoices}`}>
          <legend className="field-label">Folha de etiquetas (A4)</legend>
          {labelSheetIds.map((id) => (
            <label key={id} className={styles.sheetChoice}>
              <input type="radio" name="label-sheet" value={id} checked={layout === id} onChange={() => setLayout(id)} />
              <span>
                {labelSheets[id].title}
                <span className="muted block">{sheetsText(sheetsFor(labelSheets[id], products.length, id === layout ? skip : 0))}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className={`field${startValid ? '' : ' field-invalid'}`}>
          <label htmlFor={startId} className="field-label">
            Começar na etiqueta nº
          </label>
          <input
            id={startId}
            className={`input ${styles.startInput}`}
            type="number"
            inputMode="numeric"
            min={1}
            max={perSheet}
            value={start}
            onChange={(e) => setStart(e.target.value)}
            aria-describedby={`${startId}-hint${startValid ? '' : ` ${startId}-error`}`}
          />
          <p id={`${startId}-hint`} className="field-hint">
            Para aproveitar uma folha já usada: as etiquetas antes desta ficam em branco (contando da esquerda para a direita, de cima para baixo).
          </p>
          {startValid ? null : (
            <p id={`${startId}-error`} className="field-error">
              Use um número de 1 a {perSheet}
            </p>
          )}
        </div>
        <p className="field-hint">Na impressão, escolha tamanho real (100%), sem ajustar à página, para as etiquetas caírem no lugar.</p>
        <ErrorAlert error={error} title="Não foi possível gerar as etiquetas" />
        {saved ? (
          <p className="alert alert-success" role="status">
            PDF baixado: {sheetsText(sheetsFor(sheet, products.length, skip))} de etiquetas.
          </p>
        ) : null}
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={close} disabled={busy}>
            {saved ? 'Fechar' : 'Cancelar'}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || tooMany || !startValid || products.length === 0}>
            {busy ? 'Gerando o PDF…' : 'Baixar PDF'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
