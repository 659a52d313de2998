/**
 * The client's one import of the server. In this repository it is the router's own type; in the package
 * `@myinventory/client`, scripts/build-client.ts writes it out structurally instead (no server code, no drizzle or zod).
 */
export type { AppRouter } from '../server/api/root';
