import { writeAudit } from '../audit/audit';
import { hashPassword } from '../auth/password';
import type { Database } from '../db/client';
import type { Actor, OperatorContext } from '../domain/context';
import { AppError, conflictOnUnique } from '../errors';
import { insertPlatformOperator } from './queries/operators';

/**
 * A platform operator, made by `npm run operator:create` on the server's machine and never by a request: no org's
 * admin can make one. Like the seed, it needs only the database. The email may not be a user's either (login is
 * by email for both; migration 0006's trigger refuses it, as `email_taken`).
 */
export async function createPlatformOperator(db: Database, input: { email: string; name: string; password: string }, requestId = 'cli:operator:create') {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const actor: Actor = { type: 'system', userId: null, orgId: null, requestId };
  return conflictOnUnique(
    () =>
      db.transaction(async (tx) => {
        const operator = await insertPlatformOperator(tx, { email, name: input.name.trim(), passwordHash });
        await writeAudit(tx, actor, { action: 'operator.created', entityType: 'platform_operator', entityId: operator.id, after: operator });
        return operator;
      }),
    { platform_operators_email_unique: () => new AppError('CONFLICT', 'email_taken', `Email ${email} already belongs to a user or an operator`, { field: 'email', email }) },
  );
}

/** The signed-in operator, as its session says. */
export function getOperatorMe(ctx: OperatorContext) {
  const { operatorId, name, email, expiresAt } = ctx.operator;
  return { id: operatorId, name, email, expiresAt };
}
