import { TRPCError } from '@trpc/server';

/** Domain error codes, mapped to tRPC codes in one place. */
export const appErrorCodes = {
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  LIMIT_EXCEEDED: 'TOO_MANY_REQUESTS',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type AppErrorCode = keyof typeof appErrorCodes;

/**
 * A refusal the caller can act on. `reason` is stable and machine-readable (the client turns it into Portuguese,
 * scripts branch on it); `message` is English for developers and logs; `data` carries what the reason needs
 * (the field, the ids, the seconds to wait). Nothing ever parses `message`.
 */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    readonly reason: string,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** The entity names `not_found` carries in its data (the client names them in Portuguese). */
export type EntityName =
  | 'user'
  | 'store'
  | 'api_token'
  | 'product'
  | 'buyer'
  | 'purchase_request'
  | 'item'
  | 'inventory_session'
  | 'import_report'
  | 'dead_letter'
  | 'events'
  | 'compliance_template'
  | 'compliance_task'
  | 'compliance_photo'
  | 'receipt';

const entityLabels: Record<EntityName, string> = {
  user: 'User',
  store: 'Store',
  api_token: 'API token',
  product: 'Product',
  buyer: 'Buyer',
  purchase_request: 'Purchase request',
  item: 'Item',
  inventory_session: 'Inventory session',
  import_report: 'Import report (kept for 7 days)',
  dead_letter: 'Dead letter',
  events: 'Events',
  compliance_template: 'Compliance template',
  compliance_task: 'Compliance task',
  compliance_photo: 'Compliance photo',
  receipt: 'Receipt',
};

/** Not there, or not the caller's to see: the same answer, so a NOT_FOUND never hints that a row exists elsewhere. */
export const notFound = (entity: EntityName, data?: Record<string, unknown>) =>
  new AppError('NOT_FOUND', 'not_found', `${entityLabels[entity]} not found`, { entity, ...data });

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: appErrorCodes[error.code], message: error.message, cause: error });
}

/** The PostgreSQL error code (SQLSTATE) of an error, through the wrappers drivers and Drizzle put around it. */
export function pgErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * PostgreSQL errors that say "try again", not "this is wrong": a deadlock or serialization failure (the other
 * transaction won), a lock or statement timeout, the server shutting down or out of connections, a dropped connection.
 */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);

export function isTransientDatabaseError(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (code) return TRANSIENT_SQLSTATES.has(code);
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const network = (e as { code?: unknown }).code;
    if (typeof network === 'string' && TRANSIENT_NETWORK.has(network)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The constraint a PostgreSQL error names. */
export function constraintOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const name = (e as { constraint_name?: unknown; constraint?: unknown }).constraint_name ?? (e as { constraint?: unknown }).constraint;
    if (typeof name === 'string') return name;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Runs `work`; a violation of one of the named unique constraints becomes the CONFLICT built for it (which value is
 * taken). Any other error, another constraint's violation included, passes through.
 */
export async function conflictOnUnique<T>(work: () => Promise<T>, conflicts: Record<string, () => AppError>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const conflict = pgErrorCode(error) === '23505' ? conflicts[constraintOf(error) ?? ''] : undefined;
    throw conflict ? conflict() : error;
  }
}
