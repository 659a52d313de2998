/** The files of one stored photo under its key (products.image_key). */
export const photoKeys = (key: string) => ({ original: `${key}/original`, large: `${key}/512.webp`, thumb: `${key}/128.webp` });
export type PhotoSize = 'original' | 'large' | 'thumb';
