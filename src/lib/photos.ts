/** The sizes a product photo is served in: 128 px and 512 px WebP, and the upright original. */
export const photoSizes = ['thumb', 'large', 'original'] as const;
export type PhotoSize = (typeof photoSizes)[number];

/**
 * A product photo's address: `/api/images/products/<productId>/<photoId>/<size>`. The photo's id is the random
 * last part of its storage key (products.image_key), new for every photo, so the address can be cached for ever
 * (the service worker keeps thumbnails for offline counting); the org is the caller's, never in the address.
 */
export function photoUrl(productId: string, photoId: string | null | undefined, size: PhotoSize): string | null {
  return photoId ? `/api/images/products/${productId}/${photoId}/${size}` : null;
}

/** The photo id in a storage key (`products/<org>/<product>/<photoId>`). */
export const photoIdOf = (imageKey: string | null): string | null => imageKey?.split('/').at(-1) ?? null;

export const PHOTO_PATH_PREFIX = '/api/images/products/';

/**
 * A compliance task's photo: `/api/images/compliance/<taskId>/<photoId>/<size>`, served to the task's store and to
 * managers (the org and the store checked on every request); immutable under its id like a product photo.
 */
export const COMPLIANCE_PHOTO_PATH_PREFIX = '/api/images/compliance/';
export const compliancePhotoUrl = (taskId: string, photoId: string, size: PhotoSize) => `${COMPLIANCE_PHOTO_PATH_PREFIX}${taskId}/${photoId}/${size}`;

/** Why a product waits in photo review, as a person reads it. */
export const reviewReasonLabels: Record<string, string> = {
  low_score: 'A análise automática não teve certeza de que a foto é deste produto',
  scoring_unavailable: 'Análise automática indisponível no momento (será refeita quando voltar)',
  scoring_not_configured: 'Análise automática desligada neste servidor',
  scoring_off: 'Análise automática desligada pela administração',
  scoring_invalid: 'A análise automática deu uma resposta inválida',
  budget_exceeded: 'Limite diário da análise automática atingido (será refeita amanhã)',
  not_found: 'EAN não encontrado no Open Food Facts',
  no_image: 'Sem foto disponível',
  image_invalid: 'O arquivo da foto não é uma imagem válida',
  image_too_large: 'A foto é grande demais',
  download_failed: 'Não foi possível baixar a foto',
  rejected: 'Foto recusada',
};
