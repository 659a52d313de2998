import type { Executor } from '../../db/client';
import { platformOperators } from '../../db/schema';

export async function insertPlatformOperator(db: Executor, values: { email: string; name: string; passwordHash: string }) {
  const [row] = await db
    .insert(platformOperators)
    .values(values)
    .returning({ id: platformOperators.id, email: platformOperators.email, name: platformOperators.name, active: platformOperators.active, createdAt: platformOperators.createdAt });
  return row!;
}
