'use client';

import Link from 'next/link';
import { useState } from 'react';
import { lineTotal } from '~/lib/money';
import { errorCode } from '~/lib/trpc/errors';
import { api } from '~/lib/trpc/react';
import { PrintButton } from '../print/print-button';
import { PrintHeader, type PrintFact } from '../print/print-header';
import { useSession } from '../session';
import { TextAreaField } from '../ui/fields';
import { ErrorAlert, Loading, Notice } from '../ui/feedback';
import { formatDateTime, formatMoney, formatQuantity, shortId } from '../ui/format';
import { Modal } from '../ui/modal';
import { PageHeader } from '../ui/page-header';
import { WithProductPhoto } from '../ui/product-photo';
import { ItemStatusBadge, ReceivedBadge, RequestStatusBadge, requestStatusLabels } from './status';
import styles from './request-detail.module.css';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const createdNotices: Record<string, string> = {
  submitted: 'Solicitação enviada para aprovação. Os compradores responsáveis foram avisados.',
  draft: 'Rascunho salvo. Ele só segue para os compradores depois de enviado.',
};

export function RequestDetail({ id, created }: { id: string; created?: string }) {
  if (!UUID.test(id)) {
    return (
      <>
        <PageHeader title="Solicitação não encontrada" />
        <Notice tone="warning">
          <p>Este endereço não corresponde a nenhuma solicitação. Confira o link ou volte para a lista.</p>
        </Notice>
        <Link href="/purchase-requests" className="btn btn-secondary">
          Voltar para a lista
        </Link>
      </>
    );
  }
  return <ValidRequestDetail id={id} created={created} />;
}

function ValidRequestDetail({ id, created }: { id: string; created?: string }) {
  const { user } = useSession();
  const utils = api.useUtils();
  const request = api.purchaseRequests.byId.useQuery({ id });
  const [closing, setClosing] = useState(false);
  const [closeReason, setCloseReason] = useState('');
  const [notice, setNotice] = useState<string | null>(created ? (createdNotices[created] ?? null) : null);

  const refresh = async () => {
    await Promise.all([utils.purchaseRequests.byId.invalidate({ id }), utils.purchaseRequests.list.invalidate()]);
  };
  const submit = api.purchaseRequests.submit.useMutation({
    onSuccess: async () => {
      setNotice(createdNotices.submitted!);
      await refresh();
    },
  });
  const close = api.purchaseRequests.close.useMutation({
    onSuccess: async () => {
      setClosing(false);
      setNotice('Solicitação fechada.');
      await refresh();
    },
  });

  const backLink =
    user.role === 'buyer' ? (
      <Link href="/approvals" className="btn btn-secondary">
        Ir para Aprovações
      </Link>
    ) : (
      <Link href="/purchase-requests" className="btn btn-secondary">
        Voltar para a lista
      </Link>
    );

  if (request.isPending) return <Loading label="Carregando a solicitação…" />;
  if (request.isError) {
    return (
      <>
        <PageHeader title={`Solicitação ${shortId(id)}`} actions={backLink} />
        {errorCode(request.error) === 'NOT_FOUND' ? (
          <Notice tone="warning">
            <p>Esta solicitação não existe ou é de uma loja que você não acompanha.</p>
          </Notice>
        ) : (
          <ErrorAlert error={request.error} title="Não foi possível carregar a solicitação" onRetry={() => void request.refetch()} />
        )}
      </>
    );
  }

  const r = request.data;
  const canSubmit = r.status === 'draft' && user.role !== 'buyer' && (r.createdBy === user.id || user.role === 'manager' || user.role === 'admin');
  const canClose = r.status !== 'closed' && (user.role === 'manager' || user.role === 'admin');
  const myPending = user.role === 'buyer' && r.status === 'pending' && r.items.some((i) => i.status === 'pending' && i.buyerId === user.id);
  const printFacts: PrintFact[] = [
    { label: 'Loja', value: r.storeName },
    { label: 'Situação', value: requestStatusLabels[r.status] ?? r.status },
    { label: 'Criada por', value: `${r.createdByName} em ${formatDateTime(r.createdAt)}` },
    { label: 'Enviada em', value: formatDateTime(r.submittedAt) },
    { label: 'Concluída em', value: formatDateTime(r.completedAt) },
    ...(r.closedAt ? [{ label: 'Fechada em', value: formatDateTime(r.closedAt) }] : []),
    { label: 'Itens', value: String(r.itemCount) },
    { label: 'Total', value: formatMoney(r.totalValue) },
    ...(r.note ? [{ label: 'Observação', value: r.note }] : []),
  ];

  return (
    <>
      <PrintHeader title={`Solicitação de compra ${r.number}`} facts={printFacts} />
      <PageHeader
        className="no-print"
        title={`Solicitação ${r.number}`}
        description={
          <>
            {r.storeName} · criada por {r.createdByName} em {formatDateTime(r.createdAt)}
          </>
        }
        actions={
          <>
            {backLink}
            <PrintButton ready />
            {canSubmit ? (
              <button type="button" className="btn btn-primary" onClick={() => submit.mutate({ id: r.id })} disabled={submit.isPending}>
                {submit.isPending ? 'Enviando…' : 'Enviar para aprovação'}
              </button>
            ) : null}
            {canClose ? (
              <button
                type="button"
                className="btn btn-danger-outline"
                onClick={() => {
                  close.reset();
                  setCloseReason('');
                  setClosing(true);
                }}
              >
                Fechar solicitação
              </button>
            ) : null}
          </>
        }
      />

      <div className="no-print">
        {notice ? <Notice tone="success">{notice}</Notice> : null}
        {submit.isError ? <ErrorAlert error={submit.error} title="A solicitação não foi enviada" onRetry={() => submit.mutate({ id: r.id })} /> : null}
        {myPending ? (
          <Notice>
            <p>
              Há itens desta solicitação esperando a sua decisão. <Link href="/approvals">Decidir em Aprovações</Link>.
            </p>
          </Notice>
        ) : null}
      </div>

      <dl className={`${styles.summaryGrid} no-print`}>
        <div>
          <dt>Situação</dt>
          <dd>
            <RequestStatusBadge status={r.status} />
          </dd>
        </div>
        <div>
          <dt>Loja</dt>
          <dd>{r.storeName}</dd>
        </div>
        <div>
          <dt>Itens</dt>
          <dd>{r.itemCount}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd>{formatMoney(r.totalValue)}</dd>
        </div>
        <div>
          <dt>Enviada em</dt>
          <dd>{formatDateTime(r.submittedAt)}</dd>
        </div>
        <div>
          <dt>Concluída em</dt>
          <dd>{formatDateTime(r.completedAt)}</dd>
        </div>
        {r.closedAt ? (
          <div>
            <dt>Fechada em</dt>
            <dd>{formatDateTime(r.closedAt)}</dd>
          </div>
        ) : null}
        {r.note ? (
          <div className={styles.summaryWide}>
            <dt>Observação</dt>
            <dd>{r.note}</dd>
          </div>
        ) : null}
      </dl>

      <h2 className="section-title">Itens</h2>
      <div className="table-wrap">
        <table className="data-table" role="table">
          <caption className="sr-only">Itens da solicitação {r.number}</caption>
          <thead role="rowgroup">
            <tr role="row">
              <th scope="col" role="columnheader">Produto</th>
              <th scope="col" role="columnheader" className="num">Pedida</th>
              <th scope="col" role="columnheader" className="num">Preço unit.</th>
              <th scope="col" role="columnheader" className="num">Total</th>
              <th scope="col" role="columnheader">Decisão</th>
              <th scope="col" role="columnheader" className="num">Aprovada</th>
              <th scope="col" role="columnheader">Motivo</th>
              <th scope="col" role="columnheader">Comprador</th>
            </tr>
          </thead>
          <tbody role="rowgroup">
            {r.items.map((item) => (
              <tr role="row" key={item.id}>
                <th scope="row" role="rowheader" data-label="Produto">
                  <WithProductPhoto productId={item.productId} photoId={item.photoId} name={item.productName}>
                    {item.productName}
                    <span className="muted block mono">{item.ean}</span>
                    {item.note ? <span className="muted block row-note">Obs.: {item.note}</span> : null}
                  </WithProductPhoto>
                </th>
                <td role="cell" data-label="Pedida" className="num">
                  {formatQuantity(item.quantity)} {item.unit}
                </td>
                <td role="cell" data-label="Preço unit." className="num">
                  {formatMoney(item.unitPrice)}
                </td>
                <td role="cell" data-label="Total" className="num">
                  {formatMoney(lineTotal(item.quantity, item.unitPrice))}
                </td>
                <td role="cell" data-label="Decisão">
                  <ItemStatusBadge status={item.status} quantity={item.quantity} approvedQuantity={item.approvedQuantity} />
                  {item.decidedAt ? <span className="muted block">{formatDateTime(item.decidedAt)}</span> : null}
                </td>
                <td role="cell" data-label="Aprovada" className="num">
                  {item.approvedQuantity == null ? '—' : `${formatQuantity(item.approvedQuantity)} ${item.unit}`}
                  {item.status === 'approved' ? <ReceivedBadge approved={item.approvedQuantity ?? item.quantity} received={item.receivedQuantity} unit={item.unit} /> : null}
                </td>
                <td role="cell" data-label="Motivo">{item.decisionReason ?? '—'}</td>
                <td role="cell" data-label="Comprador">{item.buyerName ?? (r.status === 'draft' ? 'Definido ao enviar' : '—')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <Modal open={closing} title="Fechar solicitação" onClose={() => setClosing(false)} busy={close.isPending} role="alertdialog">
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            close.mutate({ id: r.id, reason: closeReason.trim() || null });
          }}
        >
          <p>
            Fechar a solicitação <strong>{r.number}</strong> de {r.storeName}? Itens ainda pendentes deixam de poder ser aprovados. Não dá para desfazer.
          </p>
          <TextAreaField data-autofocus label="Motivo" value={closeReason} onChange={(e) => setCloseReason(e.target.value)} maxLength={500} rows={3} hint="Opcional; fica registrado na auditoria." />
          {close.isError ? <ErrorAlert error={close.error} /> : null}
          <div className="form-actions">
            <button type="button" className="btn btn-secondary" onClick={() => setClosing(false)} disabled={close.isPending}>
              Cancelar
            </button>
            <button type="submit" className="btn btn-danger" disabled={close.isPending}>
              {close.isPending ? 'Fechando…' : 'Fechar solicitação'}
            </button>
          </div>
        </form>
      </Modal>
    </>
  );
}
