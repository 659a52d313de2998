'use client';

import { useEffect, useState } from 'react';
import { describeError } from '~/lib/trpc/errors';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { formatQuantity } from '../ui/format';

type SessionDetail = RouterOutputs['inventory']['byId'];

const sessionKey = (id: string) => `inventory-session:${id}`;

/**
 * The session as last seen online, so the counting screen opens offline after a reload. It holds no expected
 * quantity (byId never sends one).
 */
export function useCachedSession(sessionId: string): { session: SessionDetail | null; error: string | null } {
  const query = api.inventory.byId.useQuery({ id: sessionId }, { retry: 1, staleTime: 60_000 });
  const [cached, setCached] = useState<SessionDetail | null>(null);
  useEffect(() => {
    const raw = localStorage.getItem(sessionKey(sessionId));
    if (raw) {
      try {
        const parsed = JSON.parse(raw) as SessionDetail;
        setCached({ ...parsed, openedAt: new Date(parsed.openedAt) });
      } catch {
        localStorage.removeItem(sessionKey(sessionId));
      }
    }
  }, [sessionId]);
  useEffect(() => {
    if (query.data) localStorage.setItem(sessionKey(sessionId), JSON.stringify(query.data));
  }, [query.data, sessionId]);
  const session = query.data ?? cached;
  return { session, error: session || !query.error ? null : describeError(query.error) };
}

// Made once: toLocaleString with options builds a new Intl formatter on every call, on every render of the counting screen.
const timeFormat = new Intl.DateTimeFormat('pt-BR', { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatTime(iso: string): string {
  return timeFormat.format(new Date(iso));
}

export function quantityLabel(quantity: number, unit: string | null): string {
  const n = formatQuantity(quantity);
  return unit && unit !== 'un' ? `${n} ${unit}` : n;
}

export const statusLabels: Record<string, string> = { open: 'Aberto', finalized: 'Finalizado', cancelled: 'Cancelado' };

type SyncRejectReason = RouterOutputs['inventory']['sync']['rejected'][number]['reason'];

/** Why the server refused a scan, for the clerk (every reason the server can give has a sentence here). */
const rejectReasons: Record<SyncRejectReason, string> = {
  invalid_barcode: 'não é um código de barras (8, 12, 13 ou 14 dígitos)',
  invalid_check_digit: 'dígito verificador incorreto: leia o código de novo',
  zero_quantity: 'quantidade zero: registre de novo com a quantidade certa',
  invalid_quantity: 'quantidade inválida (até 1.000.000, com no máximo 3 casas decimais): registre de novo com a quantidade certa',
  replaces_itself: 'a correção aponta para ela mesma',
  replaces_other_session: 'a leitura corrigida é de outro inventário',
  already_replaced: 'essa leitura já tinha sido corrigida: corrija a última correção',
  id_conflict: 'identificador repetido: leia o produto de novo',
  no_unit_price: 'etiqueta de preço de um produto sem preço de referência: conte-o em unidades',
  recount_by_first_counter: 'você contou este produto na primeira contagem: a recontagem deve ser feita por outro operador',
};

/** Receiving's own reasons (`receiving.sync`); the others are counting's. */
const receivingRejectReasons: Record<string, string> = {
  entry_of_another_receipt: 'identificador repetido de outra entrega: leia o produto de novo',
  replaces_other_receipt: 'a leitura corrigida é de outra entrega',
};

/** Said of a scan the tablet still held when it learned the count was closed (`~/offline/sync` SESSION_CLOSED). */
const closedBeforeItArrived = 'o inventário já estava encerrado: não entrou na contagem';

export function rejectReasonLabel(reason: string | undefined, message: string | undefined): string {
  if (reason === 'session_closed') return closedBeforeItArrived;
  if (reason && reason in receivingRejectReasons) return receivingRejectReasons[reason]!;
  return (reason && reason in rejectReasons ? rejectReasons[reason as SyncRejectReason] : message) ?? 'recusada pelo servidor';
}
