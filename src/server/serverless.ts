import { env } from '~/env';
import { logger } from './logger';
import { createServices, type Services } from './services';

/**
 * Services for the App Router route handlers, used only on serverless deploys (our own server never routes
 * the API through Next). Needs DATABASE_URL: there is no embedded database on a serverless platform.
 */
const globalForServices = globalThis as unknown as { myInventoryServices?: Services };

export function getServerlessServices(): Services {
  if (!globalForServices.myInventoryServices) {
    if (!env.DATABASE_URL) throw new Error('DATABASE_URL must be set for the serverless route handlers');
    globalForServices.myInventoryServices = createServices(env, { logger, databaseUrl: env.DATABASE_URL, applicationName: 'myinventory-serverless' });
  }
  return globalForServices.myInventoryServices;
}
