import { TRPCClientError } from '@trpc/client';

/** The `data` our server's error formatter puts on every error (see src/server/api/trpc.ts). */
type ErrorData = {
  code?: string;
  httpStatus?: number;
  path?: string;
  zodError?: { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | null;
  details?: Record<string, unknown> | null;
};

/** Anything a tRPC hook can hand us as `error`. */
type AnyError = { message: string; data?: unknown } | Error | null | undefined;

/** Codes that a retry cannot fix. */
export const NON_RETRYABLE_CODES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST', 'CONFLICT', 'TOO_MANY_REQUESTS', 'PRECONDITION_FAILED']);

function dataOf(error: AnyError): ErrorData | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const data = (error as { data?: unknown }).data;
  return data && typeof data === 'object' ? (data as ErrorData) : undefined;
}

export function errorCode(error: AnyError): string | undefined {
  return dataOf(error)?.code;
}

export function errorPath(error: AnyError): string | undefined {
  return dataOf(error)?.path;
}

/** No answer from the server at all: offline, DNS, connection refused, or a proxy page that is not JSON. */
export function isNetworkError(error: AnyError): boolean {
  if (!error) return false;
  if (dataOf(error)) return false;
  if (error instanceof TRPCClientError || error instanceof Error) return true;
  return false;
}

/** Seconds to wait from a TOO_MANY_REQUESTS message ("... try again in 12 s"); the server sets Retry-After to the same number. */
export function retryAfterSeconds(error: AnyError): number | null {
  const match = /(\d+)\s*s\b/.exec(error?.message ?? '');
  return match ? Number(match[1]) : null;
}

const fieldMessages: [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^is required$/i, 'Campo obrigatório'],
  [/^must be an email address$/i, 'Informe um e-mail válido'],
  [/^must have at least (\d+) characters$/i, (m) => `Use pelo menos ${m[1]} caracteres`],
  [/^must be at most (\d+) characters$/i, (m) => `Use no máximo ${m[1]} caracteres`],
  [/^must be 1-20 letters, digits or dashes$/i, 'Use de 1 a 20 letras, números ou hífens'],
  [/^must be a UUID$/i, 'Identificador inválido'],
  [/^must be 13 digits$/i, 'Use 13 dígitos'],
  [/^has a wrong check digit$/i, 'Dígito verificador incorreto'],
  [/expected int/i, 'Use um número inteiro'],
  [/too small.*>=\s*(\d+)/i, (m) => `Deve ser no mínimo ${m[1]}`],
  [/too big.*<=\s*(\d+)/i, (m) => `Deve ser no máximo ${m[1]}`],
  [/too small.*>\s*(\d+)/i, (m) => `Deve ser maior que ${m[1]}`],
  [/expected number/i, 'Informe um número'],
  [/invalid option|invalid enum/i, 'Escolha uma das opções'],
];

/** The server's validation messages are English; people read Portuguese. Unknown messages are shown as they came. */
export function translateValidationMessage(message: string): string {
  for (const [pattern, replacement] of fieldMessages) {
    const match = pattern.exec(message);
    if (match) return typeof replacement === 'string' ? replacement : replacement(match);
  }
  return `Valor inválido (${message})`;
}

/** Server field errors, translated, keyed by input field name: `error.data.zodError.fieldErrors`. */
export function fieldErrors(error: AnyError): Record<string, string> {
  const raw = dataOf(error)?.zodError?.fieldErrors ?? {};
  const out: Record<string, string> = {};
  for (const [field, messages] of Object.entries(raw)) {
    if (messages && messages.length > 0) out[field] = messages.map(translateValidationMessage).join('; ');
  }
  return out;
}

const entityNames: Record<string, string> = { User: 'Usuário', Store: 'Loja', 'API token': 'Token de API' };

const domainMessages: [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^A user with email (.+) already exists$/i, (m) => `Já existe um usuário com o e-mail ${m[1]}`],
  [/^Store code (.+) is already in use$/i, (m) => `O código ${m[1]} já está em uso por outra loja`],
  [/^You cannot deactivate yourself/i, 'Você não pode desativar a si mesmo nem tirar seu próprio papel de administrador; peça a outro administrador.'],
  [/^That user is inactive/i, 'Esse usuário está inativo; reative-o antes de criar um token para ele.'],
  [/^Invalid cursor/i, 'A lista mudou; recarregue a página.'],
  [/^(.+) not found$/i, (m) => `${entityNames[m[1]!] ?? m[1]} não encontrado(a). Talvez tenha sido removido(a); recarregue a página.`],
];

function translateDomainMessage(message: string): string | null {
  for (const [pattern, replacement] of domainMessages) {
    const match = pattern.exec(message);
    if (match) return typeof replacement === 'string' ? replacement : replacement(match);
  }
  return null;
}

/** One sentence in Portuguese that tells the person what happened and what to do. */
export function describeError(error: AnyError): string {
  if (!error) return '';
  if (isNetworkError(error)) return 'Sem conexão com o servidor. Verifique sua rede e tente novamente.';
  const code = errorCode(error);
  const message = error.message ?? '';
  switch (code) {
    case 'UNAUTHORIZED':
      return 'Sua sessão expirou. Entre novamente.';
    case 'FORBIDDEN':
      return 'Acesso negado: seu papel não permite esta ação.';
    case 'TOO_MANY_REQUESTS': {
      const seconds = retryAfterSeconds(error);
      return `Muitas tentativas. Tente novamente em ${seconds ?? 'alguns'} s`;
    }
    case 'BAD_REQUEST': {
      const zodError = dataOf(error)?.zodError;
      if (zodError && Object.keys(fieldErrors(error)).length > 0) return 'Verifique os campos destacados.';
      // Errors not tied to a field are a bug on our side, not the person's: say what the server said.
      if (zodError?.formErrors?.length) return `Requisição inválida: ${zodError.formErrors.join('; ')}`;
      return translateDomainMessage(message) ?? `Requisição inválida: ${message}`;
    }
    case 'NOT_FOUND':
    case 'CONFLICT':
    case 'PRECONDITION_FAILED':
      return translateDomainMessage(message) ?? message;
    case 'SERVICE_UNAVAILABLE':
      return 'Serviço temporariamente indisponível. Tente novamente em instantes.';
    case 'INTERNAL_SERVER_ERROR':
      return 'Erro interno no servidor. Tente novamente; se continuar, avise o suporte.';
    default:
      return translateDomainMessage(message) ?? `Não foi possível concluir a operação (${message}).`;
  }
}
