import { createTRPCRouter } from '../../trpc';
import { adminAuditRouter } from './audit';
import { adminFlagsRouter } from './flags';
import { adminStoresRouter } from './stores';
import { adminDlqRouter, adminEventsRouter, adminQueuesRouter } from './operations';
import { adminSystemRouter } from './system';
import { adminTokensRouter } from './tokens';
import { adminUsersRouter } from './users';

export const adminRouter = createTRPCRouter({
  users: adminUsersRouter,
  stores: adminStoresRouter,
  tokens: adminTokensRouter,
  audit: adminAuditRouter,
  system: adminSystemRouter,
  dlq: adminDlqRouter,
  queues: adminQueuesRouter,
  events: adminEventsRouter,
  flags: adminFlagsRouter,
});
