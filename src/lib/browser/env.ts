/** The browser's one build setting: Next.js inlines NODE_ENV when it builds the client bundle. */
export const isProductionBuild = process.env.NODE_ENV === 'production';
