'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '~/lib/trpc/react';
import { randomUuid } from '~/lib/ui/uuid';
import { ErrorAlert } from '../ui/feedback';
import { formatQuantity } from '../ui/format';
import styles from './stock.module.css';

/**
 * The store's reorder suggestions (below their minimum, on no open request) and the one step that turns them into a
 * draft purchase request, opened for editing. The draft's id is made once per list shown, so a second tap after a
 * dropped answer opens the same draft.
 */
export function ReorderPanel({ storeId }: { storeId: string }) {
  const router = useRouter();
  const suggestions = api.stock.suggestions.useQuery({ storeId }, { enabled: storeId !== '' });
  const [draftId, setDraftId] = useState(() => randomUuid());
  const draft = api.stock.draftFromSuggestions.useMutation({
    onSuccess: (request) => {
      setDraftId(randomUuid());
      router.push(`/purchase-requests/${request.id}`);
    },
  });
  const items = suggestions.data?.items ?? [];
  if (suggestions.isError) return <ErrorAlert error={suggestions.error} title="Não foi possível carregar as sugestões de reposição" onRetry={() => void suggestions.refetch()} />;
  if (items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="reorder-title">
      <h2 className="section-title" id="reorder-title">
        Sugestões de reposição
      </h2>
      <p className="muted">
        {items.length === 1 ? '1 produto está' : `${items.length} produtos estão`} abaixo do mínimo e fora de qualquer solicitação aberta.
      </p>
      <ul className={styles.suggestions}>
        {items.slice(0, 8).map((s) => (
          <li key={s.productId}>
            <strong>{s.name}</strong>: saldo {formatQuantity(s.quantity)} {s.unit}, mínimo {formatQuantity(s.minQuantity)} — pedir {formatQuantity(s.reorderQuantity)}
          </li>
        ))}
        {items.length > 8 ? <li className="muted">e mais {items.length - 8}…</li> : null}
      </ul>
      <ErrorAlert error={draft.error} title="Não foi possível criar o rascunho" />
      <div className="form-actions">
        <button type="button" className="btn btn-primary" disabled={draft.isPending} onClick={() => draft.mutate({ id: draftId, storeId })}>
          {draft.isPending ? 'Criando…' : `Criar rascunho de solicitação com ${items.length === 1 ? '1 produto' : `${items.length} produtos`}`}
        </button>
      </div>
    </section>
  );
}
