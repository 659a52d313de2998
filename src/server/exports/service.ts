import type { Writable } from 'node:stream';
import type { SQL } from 'drizzle-orm';
import { businessDay } from '~/lib/business-time';
import { labelOf, auditActionLabels, auditActorTypeLabels, auditEntityTypeLabels, itemStatusLabels, requestStatusLabels, uncountedResolutionLabels } from '~/lib/labels';
import { findStore } from '../accounts/queries/stores';
import type { AuditFilters } from '../audit/queries';
import type { ProductListParams } from '../catalogue/queries';
import { streamRows } from '../db/stream';
import type { SignedInContext } from '../domain/context';
import { notFound } from '../errors';
import { visibleSession } from '../inventory/access';
import { visibleStores } from '../purchasing/service';
import type { RequestStatus } from '../purchasing/state-machine';
import { writeCsv } from './csv';
import {
  auditRows,
  catalogueProducts,
  requestLines,
  sessionLines,
  storeStockRows,
  type AuditRow,
  type ProductRow,
  type RequestLineRow,
  type SessionLineRow,
  type StockRow,
} from './queries';
import { decimalText, type ExportFigures, type Sheet } from './sheet';
import { writeXlsx } from './xlsx';

export const exportFormats = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const exportContentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Rows read from PostgreSQL at a time: what an export holds in memory, whatever its size. */
export const EXPORT_BATCH_ROWS = 1000;

/**
 * An export that passed its access checks: its file name (without extension) and how to write it. Writing holds
 * one pooled connection, in a read-only transaction, until the file is written or the reader goes away.
 */
export type ExportJob = {
  filename: string;
  write(format: ExportFormat, out: Writable): Promise<ExportFigures>;
};

function job<Row>(ctx: SignedInContext, filename: string, sheet: Sheet<Row>, query: SQL): ExportJob {
  return {
    filename,
    write: (format, out) =>
      streamRows<Row, ExportFigures>(ctx.services.sql, query, { batchSize: EXPORT_BATCH_ROWS, timeoutMs: ctx.services.env.EXPORT_TIMEOUT_MS }, (batches) =>
        format === 'csv' ? writeCsv(sheet, batches, out) : writeXlsx(sheet, batches, out),
      ),
  };
}

/** A name for a file: lower case, no accents, words joined by hyphens (`Loja Centro` → `loja-centro`). */
export function fileSlug(text: string): string {
  const slug = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, 60).replace(/-+$/, '');
}

/** `inventario-loja-centro-2026-12-02`: the parts that are not empty, then the day of the export in São Paulo. */
export const dated = (...parts: string[]) => [...parts.map(fileSlug).filter(Boolean), businessDay()].join('-');

const quantityText = (value: number) => decimalText(value, 3, { trim: true });

// ---- a count's result: managers and admins (the review's roles)

const sessionSheet: Sheet<SessionLineRow> = {
  name: 'Inventário',
  columns: [
    { header: 'EAN', kind: 'code', width: 16, value: (r) => r.ean },
    { header: 'Produto', kind: 'text', width: 40, value: (r) => r.name ?? 'Sem cadastro' },
    { header: 'Categoria', kind: 'text', width: 20, value: (r) => r.category },
    { header: 'Unidade', kind: 'text', width: 8, value: (r) => r.unit },
    { header: 'Contado', kind: 'quantity', width: 12, value: (r) => r.counted },
    { header: 'Esperado', kind: 'quantity', width: 12, value: (r) => r.expected },
    { header: 'Divergência', kind: 'quantity', width: 12, value: (r) => r.varianceQuantity },
    { header: 'Preço unitário', kind: 'money', width: 14, value: (r) => r.unitPrice },
    { header: 'Divergência (R$)', kind: 'money', width: 16, value: (r) => r.varianceValue },
    { header: 'Acima do limite', kind: 'yesNo', width: 10, value: (r) => r.flagged },
    { header: 'Zonas', kind: 'text', width: 30, value: (r) => r.zones.map((z) => `${z.zone || 'sem zona'}: ${quantityText(Number(z.quantity))}`).join('; ') },
    { header: 'Recontado', kind: 'yesNo', width: 10, value: (r) => r.recounted },
    { header: 'Nunca contado', kind: 'yesNo', width: 10, value: (r) => r.neverCounted },
    { header: 'Na finalização', kind: 'text', width: 18, value: (r) => labelOf(uncountedResolutionLabels, r.uncounted) },
    { header: 'No escopo', kind: 'yesNo', width: 10, value: (r) => r.inScope },
  ],
};

/**
 * A count's lines with counted, expected and variance, as the review shows them (a blind session's too: only
 * managers and admins get here, and a clerk assigned to it never does). NOT_FOUND for another org's session.
 */
export async function inventorySessionExport(ctx: SignedInContext, input: { sessionId: string }): Promise<ExportJob> {
  const session = await visibleSession(ctx, input.sessionId);
  const store = await findStore(ctx.db, ctx.principal.orgId, session.storeId);
  return job(ctx, dated('inventario', store?.name ?? ''), sessionSheet, sessionLines(session));
}

// ---- purchase requests: whoever may list them, with the same scope (a clerk: their stores)

const requestSheet: Sheet<RequestLineRow> = {
  name: 'Solicitações',
  columns: [
    { header: 'Solicitação', kind: 'text', width: 16, value: (r) => r.requestNumber },
    { header: 'Loja', kind: 'text', width: 24, value: (r) => r.storeName },
    { header: 'Criada por', kind: 'text', width: 24, value: (r) => r.createdByName },
    { header: 'Criada em', kind: 'date', width: 17, value: (r) => r.createdAt },
    { header: 'Situação', kind: 'text', width: 20, value: (r) => labelOf(requestStatusLabels, r.status) },
    { header: 'Produto', kind: 'text', width: 40, value: (r) => r.productName },
    { header: 'EAN', kind: 'code', width: 16, value: (r) => r.ean },
    { header: 'Unidade', kind: 'text', width: 8, value: (r) => r.unit },
    { header: 'Quantidade pedida', kind: 'quantity', width: 12, value: (r) => r.quantity },
    { header: 'Quantidade aprovada', kind: 'quantity', width: 12, value: (r) => r.approvedQuantity },
    { header: 'Decisão', kind: 'text', width: 12, value: (r) => labelOf(itemStatusLabels, r.decision) },
    { header: 'Motivo', kind: 'text', width: 30, value: (r) => r.decisionReason },
    { header: 'Comprador', kind: 'text', width: 24, value: (r) => r.buyerName },
    { header: 'Decidido em', kind: 'date', width: 17, value: (r) => r.decidedAt },
    { header: 'Preço unitário', kind: 'money', width: 14, value: (r) => r.unitPrice },
    { header: 'Valor pedido', kind: 'money', width: 14, value: (r) => r.requestedValue },
    { header: 'Valor aprovado', kind: 'money', width: 14, value: (r) => r.approvedValue },
  ],
};

export type RequestExportFilters = { storeId?: string | null; status?: RequestStatus[] | null; from?: Date | null; to?: Date | null; mine?: boolean | null; number?: string | null };

/** The lines of the requests `purchaseRequests.list` would show the caller with these filters. */
export async function purchaseRequestsExport(ctx: SignedInContext, filters: RequestExportFilters): Promise<ExportJob> {
  const store = filters.storeId ? await findStore(ctx.db, ctx.principal.orgId, filters.storeId) : null;
  if (filters.storeId && !store) throw notFound('store', { field: 'storeId' });
  const query = requestLines(ctx.principal.orgId, {
    scopeStoreIds: visibleStores(ctx.principal),
    storeId: filters.storeId ?? null,
    status: filters.status ?? null,
    from: filters.from ?? null,
    to: filters.to ?? null,
    createdBy: filters.mine ? ctx.principal.userId : null,
    number: filters.number ?? null,
  });
  return job(ctx, dated('solicitacoes-de-compra', store?.name ?? ''), requestSheet, query);
}

// ---- the catalogue: everyone (products.list's roles)

const catalogueSheet: Sheet<ProductRow> = {
  name: 'Catálogo',
  columns: [
    { header: 'EAN', kind: 'code', width: 16, value: (r) => r.ean },
    { header: 'Nome', kind: 'text', width: 40, value: (r) => r.name },
    { header: 'Marca', kind: 'text', width: 18, value: (r) => r.brand },
    { header: 'Categoria', kind: 'text', width: 20, value: (r) => r.category },
    { header: 'Unidade', kind: 'text', width: 8, value: (r) => r.unit },
    { header: 'PLU', kind: 'code', width: 8, value: (r) => r.plu },
    { header: 'Preço de referência', kind: 'money', width: 14, value: (r) => r.referencePrice },
    { header: 'Ativo', kind: 'yesNo', width: 8, value: (r) => r.active },
    { header: 'Comprador', kind: 'text', width: 24, value: (r) => r.buyerName },
    { header: 'Comprador da categoria', kind: 'text', width: 24, value: (r) => r.categoryBuyerName },
    { header: 'Atualizado em', kind: 'date', width: 17, value: (r) => r.updatedAt },
  ],
};

/** The products `products.list` would show with these filters, in its order. */
export function catalogueExport(ctx: SignedInContext, filters: Omit<ProductListParams, 'cursor' | 'limit'>): Promise<ExportJob> {
  return Promise.resolve(job(ctx, dated('catalogo'), catalogueSheet, catalogueProducts(ctx.principal.orgId, filters)));
}

// ---- store stock: managers and admins (whoever sets it; a clerk could read a blind count's expected quantities here)

const stockSheet: Sheet<StockRow> = {
  name: 'Estoque',
  columns: [
    { header: 'Loja', kind: 'text', width: 24, value: (r) => r.storeName },
    { header: 'EAN', kind: 'code', width: 16, value: (r) => r.ean },
    { header: 'Produto', kind: 'text', width: 40, value: (r) => r.productName },
    { header: 'Categoria', kind: 'text', width: 20, value: (r) => r.category },
    { header: 'Unidade', kind: 'text', width: 8, value: (r) => r.unit },
    { header: 'Quantidade', kind: 'quantity', width: 12, value: (r) => r.quantity },
    { header: 'Preço de referência', kind: 'money', width: 14, value: (r) => r.referencePrice },
    { header: 'Valor', kind: 'money', width: 16, value: (r) => r.value },
    { header: 'Atualizado em', kind: 'date', width: 17, value: (r) => r.updatedAt },
  ],
};

/** One store's stock, or every store's of the org (managers and admins work for them all). */
export async function stockExport(ctx: SignedInContext, input: { storeId?: string | null }): Promise<ExportJob> {
  const store = input.storeId ? await findStore(ctx.db, ctx.principal.orgId, input.storeId) : null;
  if (input.storeId && !store) throw notFound('store', { field: 'storeId' });
  return job(ctx, dated('estoque', store?.name ?? 'todas-as-lojas'), stockSheet, storeStockRows(ctx.principal.orgId, store?.id ?? null));
}

// ---- the audit trail: admins

const auditSheet: Sheet<AuditRow> = {
  name: 'Auditoria',
  columns: [
    { header: 'Registro', kind: 'code', width: 10, value: (r) => r.id },
    { header: 'Quando', kind: 'date', width: 17, value: (r) => r.createdAt },
    { header: 'Quem', kind: 'text', width: 24, value: (r) => r.actorName ?? labelOf(auditActorTypeLabels, r.actorType) },
    { header: 'Tipo de autor', kind: 'text', width: 14, value: (r) => labelOf(auditActorTypeLabels, r.actorType) },
    { header: 'Ação', kind: 'text', width: 30, value: (r) => labelOf(auditActionLabels, r.action) },
    { header: 'Código da ação', kind: 'text', width: 26, value: (r) => r.action },
    { header: 'Entidade', kind: 'text', width: 20, value: (r) => labelOf(auditEntityTypeLabels, r.entityType) },
    { header: 'ID da entidade', kind: 'text', width: 38, value: (r) => r.entityId },
    { header: 'IP', kind: 'text', width: 16, value: (r) => r.ip },
    { header: 'Requisição', kind: 'text', width: 38, value: (r) => r.requestId },
    { header: 'Antes', kind: 'text', width: 50, value: (r) => r.before },
    { header: 'Depois', kind: 'text', width: 50, value: (r) => r.after },
  ],
};

/** The org's audit rows `admin.audit.list` would show with these filters, newest first. */
export function auditExport(ctx: SignedInContext, filters: AuditFilters): Promise<ExportJob> {
  return Promise.resolve(job(ctx, dated('auditoria'), auditSheet, auditRows(ctx.principal.orgId, filters)));
}

