/** The browser's one build setting: Next.js inlines NODE_ENV when it builds the client bundle. */
export const isProductionBuild = process.env.NODE_ENV === 'production';

/** The build this bundle came from (next.config.ts): a new build starts with an empty kept cache. */
export const buildId = process.env.NEXT_PUBLIC_BUILD_ID ?? 'dev';
