/**
 * The Portuguese names of the states and codes the server stores, shared by the screens and the server's exports
 * (a spreadsheet must say what the page says). Unknown codes (a newer server) are shown by their code.
 */

export const requestStatusLabels = {
  draft: 'Rascunho',
  pending: 'Pendente',
  partially_approved: 'Parcialmente aprovada',
  approved: 'Aprovada',
  rejected: 'Recusada',
  closed: 'Fechada',
} as const satisfies Record<string, string>;

export const itemStatusLabels = {
  pending: 'Aguardando',
  approved: 'Aprovado',
  rejected: 'Recusado',
} as const satisfies Record<string, string>;

/** Actions the server writes today (src/server/**: writeAudit calls). */
export const auditActionLabels: Record<string, string> = {
  'auth.login': 'Entrada no sistema',
  'auth.login_failed': 'Tentativa de entrada recusada',
  'auth.logout': 'Saída do sistema',
  'user.created': 'Usuário criado',
  'user.updated': 'Usuário alterado',
  'user.deactivated': 'Usuário desativado',
  'store.created': 'Loja criada',
  'store.updated': 'Loja alterada',
  'token.created': 'Token de API criado',
  'token.revoked': 'Token de API revogado',
  'feature_flag.changed': 'Recurso ligado ou desligado',
  'product.created': 'Produto criado',
  'product.updated': 'Produto alterado',
  'product.deactivated': 'Produto desativado',
  'purchaseRequest.created': 'Solicitação criada',
  'purchaseRequest.submitted': 'Solicitação enviada para aprovação',
  'purchaseRequest.completed': 'Solicitação concluída',
  'purchaseRequest.closed': 'Solicitação fechada',
  'purchaseRequestItem.approved': 'Item aprovado',
  'purchaseRequestItem.rejected': 'Item recusado',
  'inventory.opened': 'Inventário aberto',
  'inventory.assigned': 'Operadores do inventário definidos',
  'inventory.synced': 'Leituras sincronizadas',
  'inventory.recountRequested': 'Recontagem pedida',
  'inventory.recountCancelled': 'Pedido de recontagem retirado',
  'inventory.finalized': 'Inventário finalizado',
  'inventory.cancelled': 'Inventário cancelado',
  'storeStock.imported': 'Estoque da loja importado',
  'deadLetter.retried': 'Falha de fila reenviada',
  'deadLetter.resolved': 'Falha de fila resolvida',
  'events.replayed': 'Eventos reprocessados',
};

export const auditEntityTypeLabels: Record<string, string> = {
  user: 'Usuário',
  store: 'Loja',
  api_token: 'Token de API',
  product: 'Produto',
  category: 'Categoria',
  purchase_request: 'Solicitação de compra',
  purchase_request_item: 'Item de solicitação',
  inventory_session: 'Inventário',
  dead_letter: 'Falha de fila',
  event_log: 'Evento',
  feature_flag: 'Recurso',
};

export const auditActorTypeLabels: Record<string, string> = {
  system: 'Sistema',
  anonymous: 'Anônimo',
  token: 'Token de API',
  user: 'Usuário',
};

/** What finalize did with a line nobody counted that expected stock. */
export const uncountedResolutionLabels = { kept: 'Mantido o esperado', zeroed: 'Zerado' } as const satisfies Record<string, string>;

/** A known code's label, or the code itself. */
export const labelOf = (labels: Record<string, string>, code: string | null | undefined): string => (code == null ? '' : (labels[code] ?? code));
