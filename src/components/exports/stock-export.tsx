'use client';

import { useState } from 'react';
import { useSession } from '../session';
import { SelectField } from '../ui/fields';
import { ExportLinks } from './export-links';

/** A manager's "Exportar estoque": one store's stock, or every store's, as the server has it now. */
export function StockExport() {
  const { stores } = useSession();
  const [storeId, setStoreId] = useState('');
  return (
    <section className="card form" aria-labelledby="stock-export-title">
      <h2 className="section-title" id="stock-export-title">
        Exportar estoque
      </h2>
      <p className="muted">O estoque atual de cada produto, com o valor pelo preço de referência.</p>
      <SelectField label="Loja" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
        <option value="">Todas as lojas</option>
        {stores.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </SelectField>
      <ExportLinks kind="stock" params={{ storeId }} label="Exportar estoque" />
    </section>
  );
}
