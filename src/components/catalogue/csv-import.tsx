'use client';

import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '~/lib/trpc/react';
import { ErrorAlert, Notice } from '../ui/feedback';
import { Modal } from '../ui/modal';
import { describeError, describeRowProblem } from '~/lib/trpc/errors';
import { rowErrorsCsv } from './row-errors-csv';
import { formatInteger } from '../ui/format';
import { decodeCsv } from './decode-csv';
import styles from './catalogue.module.css';

const MAX_BYTES = 20 * 1024 * 1024;

type CsvImportDialogProps = { open: boolean; onClose: () => void; onImported: () => void | Promise<void> };

/** The catalogue's import: products created or updated by EAN. */
export function CsvImportDialog({ open, onClose, onImported }: CsvImportDialogProps) {
  const importCsv = api.products.importCsv.useMutation({ onSuccess: () => onImported() });
  return (
    <CsvImportModal
      open={open}
      title="Importar produtos de CSV"
      onClose={onClose}
      importer={{ ...importCsv, run: (csv) => importCsv.mutate({ csv }) }}
      help={
        <>
          <p>
            Primeira linha com os nomes das colunas, separadas por vírgula ou ponto e vírgula. Obrigatórias: <code>ean</code> e <code>nome</code>.
            Opcionais: <code>marca</code>, <code>categoria</code>, <code>unidade</code>, <code>preco</code> (12,50), <code>comprador</code> (e-mail),{' '}
            <code>plu</code>, <code>ativo</code> (sim/não).
          </p>
          <p>
            Um EAN que já existe é atualizado; os outros são criados. Na atualização, uma coluna que o arquivo não tem não muda nada, e uma célula vazia
            apaga marca, categoria, comprador ou PLU, mas mantém preço, unidade e ativo.
          </p>
        </>
      }
      summary={(result) => (
        <>
          <strong>{result.created}</strong> {result.created === 1 ? 'produto criado' : 'produtos criados'}, <strong>{result.updated}</strong>{' '}
          {result.updated === 1 ? 'atualizado' : 'atualizados'}
        </>
      )}
    />
  );
}

/** What an import answers: the bad rows (the first ones listed, all of them in the report). */
export type ImportAnswer = {
  rejected: number;
  errors: { line: number; ean: string | null; errors: Parameters<typeof describeRowProblem>[0][] }[];
  errorsTruncated: boolean;
  reportId?: string | null;
};

/** An import's mutation as the form needs it (React Query's state, and how to send the file's text). */
export type Importer<R extends ImportAnswer> = {
  run: (csv: string) => void;
  reset: () => void;
  isPending: boolean;
  isError: boolean;
  error: Parameters<typeof ErrorAlert>[0]['error'] | null;
  data: R | undefined;
};

type CsvImportModalProps<R extends ImportAnswer> = {
  open: boolean;
  title: string;
  help: ReactNode;
  onClose: () => void;
  importer: Importer<R>;
  /** What the good rows did, before "N linhas recusadas". */
  summary: (result: R) => ReactNode;
};

/** A CSV import in a dialog: the catalogue's, a store's stock. */
export function CsvImportModal<R extends ImportAnswer>(props: CsvImportModalProps<R>) {
  const [busy, setBusy] = useState(false);
  return (
    <Modal open={props.open} title={props.title} onClose={props.onClose} busy={busy}>
      {props.open ? <CsvImportForm {...props} onBusyChange={setBusy} /> : null}
    </Modal>
  );
}

/**
 * The file is read in the browser and sent as text; the server answers, line by line, what it refused and why. Good
 * rows are imported even when others are refused.
 */
function CsvImportForm<R extends ImportAnswer>({ help, onClose, importer, summary, onBusyChange }: CsvImportModalProps<R> & { onBusyChange: (busy: boolean) => void }) {
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | undefined>();
  const [reading, setReading] = useState(false);
  const importCsv = importer;
  const busy = reading || importCsv.isPending;
  useEffect(() => onBusyChange(busy), [busy, onBusyChange]);
  // A new dialog starts without the last file's answer.
  const reset = importCsv.reset;
  useEffect(() => reset(), [reset]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return setFileError('Escolha um arquivo .csv');
    if (file.size === 0) return setFileError('O arquivo está vazio');
    if (file.size > MAX_BYTES) return setFileError('O arquivo passa de 20 MB; divida-o em partes menores');
    setFileError(undefined);
    setReading(true);
    let csv: string;
    try {
      csv = decodeCsv(await file.arrayBuffer());
    } catch {
      setFileError('Não foi possível ler o arquivo. Escolha-o de novo.');
      return;
    } finally {
      setReading(false);
    }
    importCsv.run(csv);
  };

  const result = importCsv.data;

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate>
      <div className={`field-hint ${styles.csvHelp}`}>{help}</div>
      <div className={`field${fileError ? ' field-invalid' : ''}`}>
        <label htmlFor={fileId} className="field-label">
          Arquivo CSV
        </label>
        <input
          id={fileId}
          type="file"
          className={`input ${styles.fileInput}`}
          accept=".csv,text/csv,text/plain"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setFileError(undefined);
            importCsv.reset();
          }}
          disabled={busy}
          aria-invalid={fileError ? true : undefined}
          aria-describedby={fileError ? `${fileId}-error` : undefined}
        />
        {fileError ? (
          <p id={`${fileId}-error`} className="field-error">
            {fileError}
          </p>
        ) : null}
      </div>

      {importCsv.isError ? <ErrorAlert error={importCsv.error} title="O arquivo não foi importado" /> : null}

      {result ? (
        <section aria-labelledby={`${fileId}-result`} className={styles.importResult}>
          <h3 id={`${fileId}-result`}>Resultado da importação</h3>
          <Notice tone={result.rejected > 0 ? 'warning' : 'success'}>
            <p>
              {summary(result)}, <strong>{result.rejected}</strong> {result.rejected === 1 ? 'linha recusada' : 'linhas recusadas'}.
            </p>
            {result.errorsTruncated ? (
              <p>
                A lista abaixo mostra as primeiras {formatInteger(result.errors.length)} linhas recusadas, em ordem. Baixe o relatório para ver todas as{' '}
                {formatInteger(result.rejected)}.
              </p>
            ) : null}
          </Notice>
          {result.reportId ? <ReportDownload reportId={result.reportId} /> : null}
          {result.errors.length > 0 ? (
            <div className={`table-wrap ${styles.importErrors}`}>
              <table className="data-table" role="table">
                <caption className="sr-only">Linhas recusadas</caption>
                <thead role="rowgroup">
                  <tr role="row">
                    <th scope="col" role="columnheader">Linha</th>
                    <th scope="col" role="columnheader">EAN</th>
                    <th scope="col" role="columnheader">Motivos</th>
                  </tr>
                </thead>
                <tbody role="rowgroup">
                  {result.errors.map((row) => (
                    <tr role="row" key={`${row.line}-${row.ean ?? ''}`}>
                      <th scope="row" role="rowheader" data-label="Linha">
                        {row.line}
                      </th>
                      <td role="cell" data-label="EAN" className="mono">
                        {row.ean ?? '—'}
                      </td>
                      <td role="cell" data-label="Motivos">
                        {row.errors.map(describeRowProblem).join('; ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
      ) : null}

      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
          {result ? 'Fechar' : 'Cancelar'}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy || !file || Boolean(result)}>
          {reading ? 'Lendo o arquivo…' : importCsv.isPending ? 'Importando…' : 'Importar'}
        </button>
      </div>
    </form>
  );
}

/** The whole list of refused rows (kept by the server for 7 days) as a CSV file for the spreadsheet. */
function ReportDownload({ reportId }: { reportId: string }) {
  const utils = api.useUtils();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      const report = await utils.client.imports.errorReport.query({ id: reportId });
      const url = URL.createObjectURL(new Blob([rowErrorsCsv(report.errors)], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      // The import's local date (sv-SE writes it as YYYY-MM-DD).
      link.download = `linhas-recusadas-${new Date(report.createdAt).toLocaleDateString('sv-SE')}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ busy: false });
    } catch (error) {
      setState({ busy: false, error: describeError(error as Parameters<typeof describeError>[0]) });
    }
  };
  return (
    <p>
      <button type="button" className="btn btn-secondary" onClick={() => void download()} disabled={state.busy}>
        {state.busy ? 'Preparando…' : 'Baixar relatório das linhas recusadas (CSV)'}
      </button>
      {state.error ? <span role="alert"> {state.error}</span> : null}
    </p>
  );
}
