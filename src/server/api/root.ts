import { adminRouter } from './routers/admin';
import { authRouter } from './routers/auth';
import { complianceRouter } from './routers/compliance';
import { dashboardRouter } from './routers/dashboard';
import { imagesRouter } from './routers/images';
import { importsRouter } from './routers/imports';
import { inventoryRouter } from './routers/inventory';
import { notificationsRouter } from './routers/notifications';
import { operatorRouter } from './routers/operator';
import { productsRouter } from './routers/products';
import { purchaseRequestsRouter } from './routers/purchase-requests';
import { receivingRouter } from './routers/receiving';
import { statusRouter } from './routers/status';
import { stockRouter } from './routers/stock';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
  auth: authRouter,
  admin: adminRouter,
  products: productsRouter,
  purchaseRequests: purchaseRequestsRouter,
  notifications: notificationsRouter,
  dashboard: dashboardRouter,
  inventory: inventoryRouter,
  imports: importsRouter,
  images: imagesRouter,
  compliance: complianceRouter,
  stock: stockRouter,
  receiving: receivingRouter,
  /** The public status page's (no sign-in). */
  status: statusRouter,
  /** The platform operator's (outside every organization). */
  operator: operatorRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
