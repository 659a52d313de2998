'use client';

import { api } from '~/lib/trpc/react';
import { CsvImportModal } from '../catalogue/csv-import';

/** A store's balances (and, optionally, its minimums and reorder quantities) from a spreadsheet: managers and admins. */
export function StockImportDialog({ open, storeId, storeName, onClose, onImported }: { open: boolean; storeId: string; storeName: string; onClose: () => void; onImported: () => void | Promise<void> }) {
  const importCsv = api.inventory.stock.importCsv.useMutation({ onSuccess: () => onImported() });
  return (
    <CsvImportModal
      open={open}
      title={`Importar estoque de ${storeName}`}
      onClose={onClose}
      importer={{ ...importCsv, run: (csv) => importCsv.mutate({ storeId, csv }) }}
      help={
        <>
          <p>
            Primeira linha com os nomes das colunas, separadas por vírgula ou ponto e vírgula. Obrigatórias: <code>ean</code> e <code>quantidade</code>{' '}
            (12 ou 12,5). Opcionais, sempre juntas: <code>minimo</code> e <code>reposicao</code> (quanto pedir quando o saldo fica abaixo do mínimo).
          </p>
          <p>
            Cada linha define o saldo do produto nesta loja (a diferença entra no histórico como importação); produtos fora do arquivo não mudam. Uma
            linha com mínimo e reposição pode deixar a quantidade em branco para só definir a regra.
          </p>
        </>
      }
      summary={(result) => (
        <>
          <strong>{result.updated}</strong> {result.updated === 1 ? 'saldo alterado' : 'saldos alterados'}, <strong>{result.created}</strong>{' '}
          {result.created === 1 ? 'produto novo na loja' : 'produtos novos na loja'}, <strong>{result.rules}</strong>{' '}
          {result.rules === 1 ? 'regra de reposição' : 'regras de reposição'}
        </>
      )}
    />
  );
}
