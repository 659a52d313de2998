import { brl } from '~/lib/money';
import type { StoredEvent } from '../events/consumer';

const quantityFormat = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 3 });
const qty = (n: number) => quantityFormat.format(n);

/**
 * Who is told of what, as one notification per recipient. `body` may start with the name of whoever caused the
 * event (`actorFirst`): it is looked up when the notifications are written.
 */
export type NotificationRule = {
  kind: string;
  title: string;
  body: string;
  actorFirst: boolean;
  data: Record<string, unknown>;
  /** These users (whatever their state: a request's buyers were chosen when it was submitted). */
  userIds: string[];
  /** And the org's active users with these roles. */
  roles: ('manager' | 'admin')[];
};

export const NOTIFIED_EVENTS = new Set([
  'purchaseRequest.created',
  'purchaseRequest.itemDecided',
  'inventory.finalized',
  'inventory.assigned',
  'compliance.reviewRequired',
  'compliance.completed',
  'compliance.returned',
  'stock.received',
]);

/** Why a task waits for a person, as the notice says it. */
const reviewReasons: Record<string, string> = {
  vision_off: 'a verificação automática está desligada',
  auto_check_off: 'a verificação automática foi desligada pela administração',
  vision_unavailable: 'o Google Vision não respondeu',
  review_required: 'o modelo pede revisão de uma pessoa',
  vision_unreadable: 'o Google Vision não conseguiu ler uma das fotos',
  check_failed: 'a verificação automática falhou',
};

/** The notifications an event produces (null: none). The one place that decides who hears about what. */
export function notificationOf(event: StoredEvent): NotificationRule | null {
  switch (event.type) {
    case 'purchaseRequest.created':
      return {
        kind: event.type,
        title: event.payload.requestNumber ? `Nova solicitação ${event.payload.requestNumber}` : 'Nova solicitação de compra',
        body: ` enviou uma solicitação de ${brl(event.payload.totalValue)} com itens para você aprovar.`,
        actorFirst: true,
        data: { requestId: event.payload.requestId },
        userIds: event.payload.buyerIds,
        roles: [],
      };
    case 'purchaseRequest.itemDecided': {
      const p = event.payload;
      const approved = p.decision === 'approved';
      const partly = approved && p.approvedQuantity !== null && p.approvedQuantity < p.quantity;
      // "Arroz Camil 5 kg: aprovado 1 de 4 — pedido PC-2026-000123" (events from before numbers: the old wording).
      const outcome = approved ? (partly ? `aprovado ${qty(p.approvedQuantity!)} de ${qty(p.quantity)}` : `aprovado ${qty(p.approvedQuantity ?? p.quantity)}`) : 'recusado';
      const title = p.productName ? `${p.productName}: ${outcome}${p.requestNumber ? ` — pedido ${p.requestNumber}` : ''}` : approved ? 'Item aprovado' : 'Item recusado';
      return {
        kind: event.type,
        title,
        body: approved ? ` ${partly ? 'aprovou em parte' : 'aprovou'}: ${qty(p.approvedQuantity ?? p.quantity)} de ${qty(p.quantity)} (${brl(p.value)}).` : ` recusou: ${p.reason}.`,
        actorFirst: true,
        data: { requestId: event.payload.requestId, itemId: event.payload.itemId },
        userIds: [event.payload.requesterId],
        roles: [],
      };
    }
    case 'inventory.finalized':
      return {
        kind: event.type,
        title: 'Inventário finalizado',
        body: `Um inventário foi finalizado (variação de ${brl(event.payload.varianceValue)}).`,
        actorFirst: false,
        data: { sessionId: event.payload.sessionId, storeId: event.payload.storeId },
        userIds: [],
        roles: ['manager', 'admin'],
      };
    case 'inventory.assigned':
      return {
        kind: event.type,
        title: 'Contagem para você',
        body: ` designou você para o inventário da loja ${event.payload.storeName}. Toque para contar.`,
        actorFirst: true,
        data: { countSessionId: event.payload.sessionId, storeId: event.payload.storeId },
        userIds: event.payload.userIds,
        roles: [],
      };
    case 'compliance.reviewRequired':
      return {
        kind: event.type,
        title: `Revisar: ${event.payload.title}`,
        body: `Fotos enviadas aguardam sua decisão (${reviewReasons[event.payload.reason] ?? event.payload.reason}).`,
        actorFirst: false,
        data: { complianceTaskId: event.payload.taskId, storeId: event.payload.storeId },
        userIds: [],
        roles: ['manager', 'admin'],
      };
    case 'compliance.completed':
      // Vision's failures wait for a manager; passes and people's own decisions need no notice.
      if (event.payload.verdict !== 'failed' || event.payload.by !== 'vision') return null;
      return {
        kind: event.type,
        title: `Reprovada: ${event.payload.title}`,
        body: `${event.payload.missing.join('; ')}. Revise as fotos e aprove ou devolva à loja.`,
        actorFirst: false,
        data: { complianceTaskId: event.payload.taskId, storeId: event.payload.storeId },
        userIds: [],
        roles: ['manager', 'admin'],
      };
    case 'compliance.returned':
      return {
        kind: event.type,
        title: `Refazer: ${event.payload.title}`,
        body: ` devolveu a tarefa: ${event.payload.comment}`,
        actorFirst: true,
        data: { complianceTaskId: event.payload.taskId, storeId: event.payload.storeId },
        userIds: event.payload.clerkIds,
        roles: [],
      };
    case 'stock.received': {
      // What the requesters and their buyers need to know: items that came in part (the rest stays to receive), and
      // products that came beyond what was asked (a manager accepted them: their buyers and the requesters of those
      // products hear it). A delivery that filled what it touched: no notice.
      const partial = event.payload.items.filter((i) => i.received < i.approved);
      const excess = event.payload.excess;
      if (partial.length === 0 && excess.length === 0) return null;
      const parts = [
        partial.length > 0 ? `${partial.length === 1 ? '1 item chegou' : `${partial.length} itens chegaram`} em parte (${partial.map((i) => `${i.requestNumber}: ${qty(i.received)} de ${qty(i.approved)}`).slice(0, 3).join('; ')}); o restante continua a receber` : null,
        excess.length > 0 ? `${excess.length === 1 ? '1 produto chegou' : `${excess.length} produtos chegaram`} além do pedido` : null,
      ].filter(Boolean);
      const excessProducts = new Set(excess.map((e) => e.productId));
      const touched = event.payload.items.filter((i) => i.received < i.approved || excessProducts.has(i.productId));
      return {
        kind: event.type,
        title: 'Entrega recebida com diferenças',
        body: `${parts.join('. ')}.`,
        actorFirst: false,
        data: { receiptId: event.payload.receiptId, storeId: event.payload.storeId },
        userIds: [...new Set([...touched.flatMap((i) => [i.requestedBy, ...(i.buyerId ? [i.buyerId] : [])]), ...excess.flatMap((e) => (e.buyerId ? [e.buyerId] : []))])],
        roles: [],
      };
    }
    default:
      return null;
  }
}
