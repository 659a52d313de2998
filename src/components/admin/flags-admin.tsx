'use client';

import { useState } from 'react';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ErrorAlert, Loading } from '../ui/feedback';
import { formatDate } from '../ui/format';
import { ListNotice, useListNotice } from '../ui/list-notice';
import { PageHeader } from '../ui/page-header';
import { StorePicker, type PickedStore } from '../stores/store-picker';

type Flag = RouterOutputs['admin']['flags']['list'][number];
type FlagName = Flag['flag'];

/** What each flag switches, for the people who choose. */
const flagTexts: Record<FlagName, { title: string; on: string; off: string }> = {
  imageScoring: {
    title: 'Análise automática das fotos de produtos',
    on: 'A OpenAI avalia cada foto nova e aprova as boas.',
    off: 'Toda foto nova vai para a revisão manual.',
  },
  complianceAutoVerdicts: {
    title: 'Verificação automática das tarefas de conformidade',
    on: 'O Google Vision confere as fotos e aprova ou reprova a tarefa.',
    off: 'Toda tarefa enviada espera a decisão de um gerente.',
  },
  pushDelivery: {
    title: 'Notificações push nos aparelhos',
    on: 'Os avisos chegam ao celular e ao tablet, além do sino.',
    off: 'Os avisos ficam só no sino do aplicativo (inclusive os que já estavam na fila).',
  },
};

const stateLabel = (enabled: boolean) => (enabled ? 'Ligado' : 'Desligado');

/**
 * The org's feature flags: each risky path an admin may switch off without waiting for a deploy, for the whole
 * organization or (where it can differ) one store. Every change is audited.
 */
export function FlagsAdmin() {
  const utils = api.useUtils();
  const flags = api.admin.flags.list.useQuery();
  const notice = useListNotice(() => utils.admin.flags.list.invalidate());
  const set = api.admin.flags.set.useMutation({
    onSuccess: (result) => {
      const title = flagTexts[result.flag].title;
      const what = result.enabled === null ? 'voltou ao padrão' : result.enabled ? 'ligado' : 'desligado';
      return notice.announce(result.changed ? `${title}: ${what}.` : `${title}: nada mudou.`);
    },
  });

  return (
    <>
      <PageHeader title="Recursos" description="Ligue ou desligue os recursos automáticos da rede sem esperar uma nova versão. Toda mudança fica na auditoria." />
      <ListNotice notice={notice} />
      {set.isError ? <ErrorAlert error={set.error} title="Não foi possível mudar o recurso" /> : null}
      {flags.isPending ? (
        <Loading label="Carregando os recursos…" />
      ) : flags.isError ? (
        <ErrorAlert error={flags.error} title="Não foi possível carregar os recursos" onRetry={() => void flags.refetch()} />
      ) : (
        flags.data.map((flag) => (
          <FlagCard key={flag.flag} flag={flag} busy={set.isPending} onSet={(storeId, enabled) => notice.clearThen(() => set.mutate({ flag: flag.flag, storeId, enabled }))()} />
        ))
      )}
    </>
  );
}

function FlagCard({ flag, busy, onSet }: { flag: Flag; busy: boolean; onSet: (storeId: string | null, enabled: boolean | null) => void }) {
  const texts = flagTexts[flag.flag];
  const headingId = `flag-${flag.flag}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{texts.title}</h2>
      <p>
        <span className={`badge ${flag.enabled ? 'badge-ok' : 'badge-off'}`}>{stateLabel(flag.enabled)}</span>{' '}
        {flag.org ? `escolhido pela administração em ${formatDate(flag.org.updatedAt)}` : `padrão (${stateLabel(flag.default).toLowerCase()})`}
      </p>
      <p className="muted">{flag.enabled ? texts.on : texts.off}</p>
      <div className="form-actions">
        <button type="button" className={`btn ${flag.enabled ? 'btn-danger-outline' : 'btn-primary'}`} disabled={busy} onClick={() => onSet(null, !flag.enabled)}>
          {flag.enabled ? 'Desligar para a rede' : 'Ligar para a rede'}
        </button>
        {flag.org ? (
          <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => onSet(null, null)}>
            Voltar ao padrão
          </button>
        ) : null}
      </div>
      {flag.perStore ? <StoreChoices flag={flag} busy={busy} onSet={onSet} /> : null}
    </section>
  );
}

/** A store may differ from its org on this flag: each store's choice, and a way to set one. */
function StoreChoices({ flag, busy, onSet }: { flag: Flag; busy: boolean; onSet: (storeId: string | null, enabled: boolean | null) => void }) {
  const [store, setStore] = useState<PickedStore | null>(null);
  const storeId = store?.id ?? null;
  const current = storeId ? flag.stores.find((s) => s.storeId === storeId) : undefined;
  return (
    <div>
      <h3>Por loja</h3>
      {flag.stores.length > 0 ? (
        <ul>
          {flag.stores.map((choice) => (
            <li key={choice.storeId}>
              {choice.name} ({choice.code}): <strong>{stateLabel(choice.enabled)}</strong>{' '}
              <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => onSet(choice.storeId, null)}>
                Seguir a rede
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Todas as lojas seguem a escolha da rede.</p>
      )}
      <StorePicker from="admin" label="Loja" value={store} onChange={setStore} noneLabel="Nenhuma loja escolhida" />
      {storeId ? (
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" disabled={busy || current?.enabled === true} onClick={() => onSet(storeId, true)}>
            Ligar em {store?.name}
          </button>
          <button type="button" className="btn btn-danger-outline" disabled={busy || current?.enabled === false} onClick={() => onSet(storeId, false)}>
            Desligar em {store?.name}
          </button>
        </div>
      ) : null}
    </div>
  );
}
