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
  [/^must be more than zero$/i, 'Deve ser maior que zero'],
  [/^must not be negative$/i, 'Não pode ser negativo'],
  [/^at most (\d+) decimals$/i, (m) => `Use no máximo ${m[1]} casas decimais`],
  [/^must be 4 to 6 digits$/i, 'Use de 4 a 6 dígitos'],
  [/^add at least one product$/i, 'Adicione pelo menos um produto'],
  [/^at most (\d+) items per request$/i, (m) => `No máximo ${m[1]} itens por solicitação`],
  [/^the file is empty$/i, 'O arquivo está vazio'],
  [/^the file is larger than (\d+) MB$/i, (m) => `O arquivo passa de ${m[1]} MB; divida-o em partes menores`],
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

const entityNames: Record<string, string> = {
  User: 'Usuário',
  Store: 'Loja',
  'API token': 'Token de API',
  Product: 'Produto',
  Buyer: 'Comprador',
  'Purchase request': 'Solicitação de compra',
  Item: 'Item',
};

const requestStatusNames: Record<string, string> = {
  draft: 'um rascunho',
  pending: 'pendente',
  partially_approved: 'parcialmente aprovada',
  approved: 'aprovada',
  rejected: 'recusada',
  closed: 'fechada',
};

const domainMessages: [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^A user with email (.+) already exists$/i, (m) => `Já existe um usuário com o e-mail ${m[1]}`],
  [/^Store code (.+) is already in use$/i, (m) => `O código ${m[1]} já está em uso por outra loja`],
  [/^You cannot deactivate yourself/i, 'Você não pode desativar a si mesmo nem tirar seu próprio papel de administrador; peça a outro administrador.'],
  [/^That user is inactive/i, 'Esse usuário está inativo; reative-o antes de criar um token para ele.'],
  [/^Invalid cursor/i, 'A lista mudou; recarregue a página.'],
  // Catalogue
  [/^A product with EAN (\d+) already exists$/i, (m) => `Já existe um produto com o EAN ${m[1]}`],
  [/^PLU (.+) is already used by another product$/i, (m) => `O PLU ${m[1]} já é usado por outro produto`],
  [/^No product with EAN (\d+) in the catalogue$/i, (m) => `Nenhum produto com o EAN ${m[1]} no catálogo`],
  [/^(.+) is not an active buyer$/i, (m) => `${m[1]} não é um comprador ativo; escolha outro comprador.`],
  [/^The file is not valid CSV: (.+)$/i, (m) => `O arquivo não é um CSV válido (${m[1]}). Salve a planilha como CSV e tente de novo.`],
  [/^Missing column "(.+)" in the header \(line 1\)$/i, (m) => `Falta a coluna "${m[1]}" no cabeçalho (linha 1).`],
  [/^The file is empty$/i, 'O arquivo está vazio.'],
  // Purchase requests
  [/^You do not work at (.+); ask an admin to add you to it$/i, (m) => `Você não trabalha na ${m[1]}; peça a um administrador para incluir você nela.`],
  [/^Inactive products cannot be requested: (.+)$/i, (m) => `Produtos inativos não podem ser solicitados: ${m[1]}. Remova-os da lista.`],
  [/^Each product may appear once/i, 'Cada produto pode aparecer uma vez só; some as quantidades.'],
  [/^Product not found: /i, 'Algum produto da lista não existe mais no catálogo; remova-o e tente de novo.'],
  [/^This request id is already used/i, 'Este identificador de solicitação já foi usado; recarregue a página e monte a solicitação de novo.'],
  [/^No buyer is responsible for: (.+?)\.? Ask an admin to assign one\.?$/i, (m) => `Nenhum comprador é responsável por: ${m[1]}. Peça a um administrador para definir um.`],
  [/^Only the author or a manager can submit this request$/i, 'Só quem criou a solicitação ou um gerente pode enviá-la.'],
  [/^Cannot (submit|close|complete) a purchase request that is (\w+)$/i, (m) => {
    const status = requestStatusNames[m[2]!] ?? m[2];
    if (m[1] === 'close') return `Não é possível fechar: a solicitação já está ${status}.`;
    return `Não é possível enviar: a solicitação está ${status}. Recarregue a página.`;
  }],
  [/^Cannot decide an item of a purchase request that is (\w+)$/i, (m) => `A solicitação está ${requestStatusNames[m[1]!] ?? m[1]}; seus itens não podem mais ser decididos.`],
  [/^This item was already (approved|rejected)$/i, (m) => `Este item já foi ${m[1] === 'approved' ? 'aprovado' : 'recusado'}.`],
  [/^This item was decided by someone else/i, 'Este item foi decidido por outra pessoa há pouco; a lista foi atualizada.'],
  [/^This item is assigned to another buyer$/i, 'Este item é de outro comprador.'],
  [/^Approve at most the requested (.+)$/i, (m) => `Aprove no máximo a quantidade pedida (${m[1]}).`],
  [/^Say why the item is rejected$/i, 'Informe o motivo da recusa.'],
  [/^Choose one of your stores$/i, 'Escolha uma das suas lojas.'],
  // Inventory
  [/^Cannot .+: this inventory session is (finalized|cancelled)$/i, (m) => `Este inventário está ${m[1] === 'finalized' ? 'finalizado' : 'cancelado'} e não aceita mais alterações. Recarregue a página.`],
  [/^Already recounted, so the request can no longer be withdrawn: (.+)$/i, (m) => `Já chegou a recontagem de ${m[1]}; o pedido não pode mais ser retirado.`],
  [/^(.+) does not work at (.+); add them to the store first$/i, (m) => `${m[1]} não trabalha na ${m[2]}; peça a um administrador para incluir essa pessoa na loja.`],
  [/^(.+) is a buyer; clerks, managers and admins count stock$/i, (m) => `${m[1]} é comprador(a); só operadores, gerentes e administradores contam estoque.`],
  [/^This inventory session is (finalized|cancelled): it takes no more counts/i, (m) =>
    `Este inventário está ${m[1] === 'finalized' ? 'finalizado' : 'cancelado'} e não recebe mais leituras. Mostre ao gerente as leituras que ficaram neste tablet.`],
  [/^This inventory session is finalized; its stock was already applied$/i, 'Este inventário já foi finalizado e o estoque da loja já foi atualizado.'],
  [/^This inventory session was cancelled; open a new one/i, 'Este inventário foi cancelado; abra um novo para contar de novo.'],
  [/^This inventory session belongs to another store$/i, 'Este inventário é de outra loja.'],
  [/^This session id is already used/i, 'Este identificador de inventário já foi usado; recarregue a página e tente de novo.'],
  [/^(.+) already has an open inventory \(opened by (.+)\); finalize or cancel it first$/i, (m) => `${m[1]} já tem um inventário aberto (aberto por ${m[2]}); finalize ou cancele esse antes.`],
  [/^A full inventory counts every category and zone/i, 'Um inventário completo conta todas as categorias e zonas; escolha "Parcial" para limitar.'],
  [/^A partial inventory needs the categories or zones it counts$/i, 'Um inventário parcial precisa das categorias ou das zonas que vai contar.'],
  [/^You are not assigned to this inventory/i, 'Você não está designado(a) para este inventário; peça ao gerente para incluir você.'],
  [/^(\d+) device\(s\) still hold (\d+) unsynced count\(s\): (.+)\. Sync them, or force the finalize/i, (m) =>
    `${m[1] === '1' ? 'Um tablet ainda tem' : `${m[1]} tablets ainda têm`} ${m[2] === '1' ? '1 leitura não sincronizada' : `${m[2]} leituras não sincronizadas`} (${m[3]}). Sincronize ${m[1] === '1' ? 'o tablet' : 'os tablets'}, ou force a finalização para deixar essas leituras de fora.`],
  // Catalogue, people and operations
  [/^No product with EAN (\d+) in the catalogue$/i, (m) => `Nenhum produto com o EAN ${m[1]} no catálogo.`],
  [/^(.+) is not an active buyer$/i, (m) => `${m[1]} não é um comprador ativo.`],
  [/^User not found: /i, 'Alguma pessoa da lista não existe mais; recarregue a página.'],
  [/^A user with email (.+) already exists$/i, (m) => `Já existe um usuário com o e-mail ${m[1]}.`],
  [/^Store code (.+) is already in use$/i, (m) => `O código de loja ${m[1]} já está em uso.`],
  [/^That user is inactive; activate them/i, 'Essa pessoa está com o cadastro inativo; reative-o antes de criar um token.'],
  [/^You cannot deactivate yourself or remove your own admin role/i, 'Você não pode desativar o próprio cadastro nem tirar de si o papel de administrador; peça a outro administrador.'],
  [/^This dead letter is already resolved$/i, 'Esta falha já foi resolvida.'],
  [/^This request id was already used for another request/i, 'Este identificador de solicitação já foi usado; recarregue a página e monte a solicitação de novo.'],
  [/^A value is too large to store/i, 'Um valor é grande demais para ser guardado: use quantidades ou preços menores.'],
  [/^Invalid cursor/i, 'A lista mudou desde a última página; recarregue a página.'],
  [/^(.+) is inactive$/i, (m) => `${m[1]}: cadastro inativo.`],
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
      return seconds === null ? 'Muitas tentativas. Tente novamente em alguns segundos.' : `Muitas tentativas. Tente novamente em ${seconds} s.`;
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
