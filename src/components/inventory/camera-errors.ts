/**
 * What a clerk reads when the camera cannot be used, in Portuguese and with what to do: the browser's own
 * messages ("Permission denied", "Requested device not found") are in English and say nothing about the next step.
 * Every message ends pointing to the scanner and the keyboard, which always work.
 */
const FALLBACK = 'Use o leitor de código de barras ou digite o código.';

export function cameraErrorMessage(error: unknown, secureContext = globalThis.isSecureContext ?? true): string {
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error) ? String((error as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return `O acesso à câmera foi negado. Permita a câmera para este site nas configurações do navegador (toque no cadeado ao lado do endereço) e abra a câmera de novo. ${FALLBACK}`;
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return `Nenhuma câmera foi encontrada neste aparelho. ${FALLBACK}`;
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return `A câmera está em uso por outro aplicativo ou não respondeu. Feche os outros aplicativos que usam a câmera e tente de novo. ${FALLBACK}`;
    case 'SecurityError':
      return `O navegador bloqueou a câmera nesta página. ${secureContext ? '' : 'A câmera só funciona em conexão segura (endereço com https). '}${FALLBACK}`;
    default:
      if (!secureContext) return `A câmera só funciona em conexão segura (endereço com https). ${FALLBACK}`;
      return `Não foi possível abrir a câmera. ${FALLBACK}`;
  }
}
