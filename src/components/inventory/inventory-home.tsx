'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { randomUuid } from '~/lib/ui/uuid';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { errorDetails, errorReason } from '~/lib/trpc/errors';
import { api } from '~/lib/trpc/react';
import { StockExport } from '../exports/stock-export';
import { PageHeader } from '../ui/page-header';
import { EmptyState, ErrorAlert, Loading } from '../ui/feedback';
import { TextField } from '../ui/fields';
import { LoadMore } from '../ui/load-more';
import { decimalPlaces, parseDecimal } from '../ui/format';
import { useSession } from '../session';
import { formatTime, statusLabels } from './shared';
import styles from './inventory.module.css';

const splitList = (text: string) => [...new Set(text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean))];

export function InventoryHome() {
  const me = useSession();
  const manager = me.user.role === 'manager' || me.user.role === 'admin';
  const list = api.inventory.list.useInfiniteQuery({ limit: 50 }, cursorPages);
  const sessions = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <PageHeader
        title="Inventário"
        description={manager ? 'Abra inventários, acompanhe a contagem ao vivo, revise as divergências e finalize.' : 'Os inventários em que você foi designado para contar.'}
      />
      {manager ? <OpenSessionForm /> : null}
      {manager ? <StockExport /> : null}
      <h2 className="section-title">Inventários</h2>
      {list.isPending ? <Loading /> : null}
      {list.error && !list.isFetchNextPageError ? <ErrorAlert error={list.error} title="Não foi possível carregar os inventários" onRetry={() => void list.refetch()} /> : null}
      {list.isSuccess && sessions.length === 0 ? <EmptyState>Nenhum inventário {manager ? 'aberto ainda' : 'designado para você'}.</EmptyState> : null}
      <ul className="line-list" data-testid="inventory-sessions">
        {sessions.map((s) => (
          <li key={s.id} className="line-card">
            <div>
              <strong>{s.storeName}</strong> · <span className="mono">{s.number}</span> · {statusLabels[s.status]} · {s.scope === 'full' ? 'completo' : 'parcial'}
              {s.blind ? ' · às cegas' : ''}
              <div className="muted">
                Aberto por {s.openedByName} em {formatTime(s.openedAt.toISOString())}
              </div>
            </div>
            <div className="inline-actions">
              {s.status === 'open' ? (
                <Link href={`/inventory/${s.id}/count`} className="btn btn-primary">
                  Contar
                </Link>
              ) : null}
              {manager ? (
                <Link href={`/inventory/${s.id}`} className="btn btn-secondary">
                  Acompanhar
                </Link>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      {sessions.length > 0 ? <LoadMore query={list} shown={sessions.length} /> : null}
    </section>
  );
}

function OpenSessionForm() {
  const me = useSession();
  const router = useRouter();
  const utils = api.useUtils();
  const [storeId, setStoreId] = useState(me.stores[0]?.id ?? '');
  const [scope, setScope] = useState<'full' | 'partial'>('full');
  const [zones, setZones] = useState('');
  const [categories, setCategories] = useState('');
  const [blind, setBlind] = useState(false);
  const [threshold, setThreshold] = useState('10');
  const [countMyself, setCountMyself] = useState(true);
  const [id] = useState(randomUuid);
  const open = api.inventory.open.useMutation({
    onSuccess: async (session) => {
      await utils.inventory.list.invalidate();
      router.push(`/inventory/${session.id}`);
    },
  });
  const [showErrors, setShowErrors] = useState(false);
  const thresholdPercent = parseDecimal(threshold);
  const errors = {
    threshold:
      thresholdPercent === null ? 'Informe um número, como 10 ou 2,5' : thresholdPercent > 10_000 ? 'Use no máximo 10.000%' : decimalPlaces(thresholdPercent) > 1 ? 'Use no máximo 1 casa decimal' : undefined,
    zones: scope === 'partial' && splitList(zones).length === 0 && splitList(categories).length === 0 ? 'Informe as zonas ou as categorias que o inventário parcial conta' : undefined,
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setShowErrors(true);
    if (errors.threshold || errors.zones) return;
    open.mutate({
      id,
      storeId,
      scope,
      zones: scope === 'partial' ? splitList(zones) : null,
      categories: scope === 'partial' ? splitList(categories) : null,
      blind,
      varianceThreshold: Math.round(thresholdPercent! * 10) / 1000,
      assignments: countMyself ? [{ userId: me.user.id, zone: '' }] : [],
    });
  };
  return (
    <form className="card form" onSubmit={submit} aria-label="Abrir inventário">
      <h2 className="section-title">Abrir inventário</h2>
      <div className={styles.grid}>
        <label className={styles.small}>
          Loja
          <select className="input" value={storeId} onChange={(e) => setStoreId(e.target.value)} required>
            {me.stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.small}>
          Abrangência
          <select className="input" value={scope} onChange={(e) => setScope(e.target.value as 'full' | 'partial')}>
            <option value="full">Completo</option>
            <option value="partial">Parcial (zonas ou categorias)</option>
          </select>
        </label>
        <TextField
          label="Limite de divergência (%)"
          inputMode="decimal"
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
          error={showErrors ? errors.threshold : undefined}
        />
      </div>
      {scope === 'partial' ? (
        <div className={styles.grid}>
          <TextField label="Zonas (separadas por vírgula)" value={zones} onChange={(e) => setZones(e.target.value)} error={showErrors ? errors.zones : undefined} />
          <TextField label="Categorias (separadas por vírgula)" value={categories} onChange={(e) => setCategories(e.target.value)} />
        </div>
      ) : null}
      <label className="checkbox-field">
        <input type="checkbox" checked={blind} onChange={(e) => setBlind(e.target.checked)} /> Contagem às cegas (os tablets não recebem as quantidades esperadas)
      </label>
      <label className="checkbox-field">
        <input type="checkbox" checked={countMyself} onChange={(e) => setCountMyself(e.target.checked)} /> Eu também vou contar
      </label>
      <p className="muted">Os operadores designados são definidos na tela de acompanhamento.</p>
      <ErrorAlert error={open.error} title="Não foi possível abrir o inventário" />
      {errorReason(open.error) === 'session_open' ? (
        <p>
          <Link href={`/inventory/${String(errorDetails(open.error).sessionId)}`} className="btn btn-secondary" data-testid="open-session-link">
            Ver o inventário aberto (finalizar ou cancelar)
          </Link>
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={open.isPending || !storeId}>
          {open.isPending ? 'Abrindo…' : 'Abrir inventário'}
        </button>
      </div>
    </form>
  );
}
