import { TRPCClientError } from '@trpc/client';
import { brl } from '~/lib/money';
import type { Problem } from '~/lib/problems';

/** The `data` our server's error formatter puts on every error (see src/server/api/trpc.ts). */
type ErrorData = {
  code?: string;
  httpStatus?: number;
  path?: string;
  /** Stable and machine-readable: what this module turns into Portuguese. */
  reason?: string | null;
  /** What the reason needs: the field, the names, the figures. */
  details?: Record<string, unknown> | null;
  /** Each refused input value, with its reason and limits. */
  issues?: Problem[] | null;
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

/** The server's reason for refusing (e.g. `session_closed`), when it gave one. */
export function errorReason(error: AnyError): string | undefined {
  return dataOf(error)?.reason ?? undefined;
}

/** What came with the reason (e.g. `{ field: 'buyerId' }`); empty when nothing did. */
export function errorDetails(error: AnyError): Record<string, unknown> {
  return dataOf(error)?.details ?? {};
}

/** No answer from the server at all: offline, DNS, connection refused, or a proxy page that is not JSON. */
export function isNetworkError(error: AnyError): boolean {
  if (!error) return false;
  if (dataOf(error)) return false;
  if (error instanceof TRPCClientError || error instanceof Error) return true;
  return false;
}

/** Seconds the server asks to wait after TOO_MANY_REQUESTS (the same figure as its Retry-After header). */
export function retryAfterSeconds(error: AnyError): number | null {
  const seconds = errorDetails(error).retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : null;
}

type Params = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v.map(str).join(', ') : str(v));
const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The names of the fields of import files, as the columns are called in the spreadsheets. */
const columnNames: Record<string, string> = {
  ean: 'o EAN',
  name: 'o nome',
  brand: 'a marca',
  category: 'a categoria',
  unit: 'a unidade',
  referencePrice: 'o preço',
  buyerEmail: 'o e-mail do comprador',
  plu: 'o PLU',
  active: '"ativo"',
  quantity: 'a quantidade',
  min: 'o mínimo',
  reorder: 'a quantidade de reposição',
};

/** A refused value in Portuguese: a form field's message under the field. */
export function describeProblem(problem: Pick<Problem, 'reason' | 'params'>): string {
  const p: Params = problem.params ?? {};
  switch (problem.reason) {
    case 'required':
      return 'Campo obrigatório';
    case 'too_short':
      return `Use pelo menos ${str(p.min)} caracteres`;
    case 'too_long':
      return `Use no máximo ${str(p.max)} caracteres`;
    case 'too_small':
      return `Deve ser no mínimo ${str(p.min)}`;
    case 'must_exceed':
      return Number(p.min) === 0 ? 'Deve ser maior que zero' : `Deve ser maior que ${str(p.min)}`;
    case 'too_large':
      return `Deve ser no máximo ${str(p.max)}`;
    case 'too_few':
      return Number(p.min) === 1 ? 'Adicione pelo menos um item' : `Adicione pelo menos ${str(p.min)} itens`;
    case 'too_many':
      return `No máximo ${str(p.max)} itens`;
    case 'too_many_decimals':
      return `Use no máximo ${str(p.decimals)} casas decimais`;
    case 'not_an_integer':
      return 'Use um número inteiro';
    case 'not_a_number':
      return 'Informe um número';
    case 'invalid_date':
      return 'Informe uma data válida';
    case 'date_out_of_range':
      return 'Informe uma data entre 1970 e 2100';
    case 'invalid_email':
      return 'Informe um e-mail válido';
    case 'invalid_id':
      return 'Identificador inválido';
    case 'invalid_url':
      return 'Informe um endereço (URL) válido';
    case 'https_url_required':
      return 'Use um endereço que comece com https://';
    case 'invalid_option':
      return 'Escolha uma das opções';
    case 'ean_digits':
      return 'Use 13 dígitos';
    case 'check_digit':
      return 'Dígito verificador incorreto';
    case 'plu_format':
      return 'Use de 4 a 6 dígitos';
    case 'store_code_format':
      return 'Use de 1 a 20 letras, números ou hífens';
    case 'line_ean_format':
      return 'Use os 8 a 14 dígitos de uma linha da revisão';
    case 'device_secret_format':
      return 'A identificação deste tablet está incompleta; recarregue o aplicativo';
    case 'must_not_be_negative':
      return 'Não pode ser negativo';
    default:
      return 'Valor inválido';
  }
}

/** Server field errors in Portuguese, keyed by input field name. */
export function fieldErrors(error: AnyError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of dataOf(error)?.issues ?? []) {
    const field = str(issue.params?.field);
    if (!field) continue;
    const message = describeProblem(issue);
    out[field] = out[field] ? `${out[field]}; ${message}` : message;
  }
  return out;
}

/** A rejected row of an import file in Portuguese (a CSV of products or of store stock). */
export function describeRowProblem(problem: Pick<Problem, 'reason' | 'params'>): string {
  const p: Params = problem.params ?? {};
  const column = columnNames[str(p.field)] ?? 'o valor';
  switch (problem.reason) {
    case 'ean_digits':
      return 'o EAN deve ter 13 dígitos';
    case 'check_digit':
      return 'dígito verificador do EAN incorreto';
    case 'ean_repeated':
      return `EAN repetido: já aparece na linha ${str(p.line)}`;
    case 'ean_unknown':
      return `nenhum produto com o EAN ${str(p.ean)} no catálogo`;
    case 'required':
      return p.field === 'name' ? 'falta o nome' : `falta ${column}`;
    case 'too_long':
      return `${column} tem mais de ${str(p.max)} caracteres`;
    case 'not_a_price':
      return `"${str(p.value)}" não é um preço (use 12,50 ou 12.50)`;
    case 'not_a_quantity':
      return `"${str(p.value)}" não é uma quantidade (use 12, 12,5 ou 12.5; no máximo 3 casas decimais)`;
    case 'must_not_be_negative':
      return p.field === 'min' ? 'o mínimo não pode ser negativo' : p.field === 'reorder' ? 'a reposição não pode ser negativa' : 'a quantidade não pode ser negativa';
    case 'too_large':
      return 'a quantidade é grande demais';
    case 'plu_format':
      return 'o PLU deve ter de 4 a 6 dígitos';
    case 'rule_incomplete':
      return 'informe o mínimo e a reposição juntos (ou deixe os dois em branco)';
    case 'must_be_positive':
      return `${column} deve ser maior que zero`;
    case 'not_yes_no':
      return `"ativo" deve ser sim ou não (veio "${str(p.value)}")`;
    case 'buyer_email_unknown':
      return `nenhum usuário ativo com o e-mail ${str(p.email)}`;
    case 'not_a_buyer':
      return `${str(p.email)} não é comprador(a)`;
    case 'plu_taken':
      return p.ean ? `o PLU ${str(p.plu)} já é do EAN ${str(p.ean)}` : 'o PLU já é usado por outro produto';
    case 'plu_repeated':
      return `PLU ${str(p.plu)} repetido: já aparece na linha ${str(p.line)}`;
    case 'invalid_value':
      return `valor inválido (${str(p.constraint)})`;
    case 'rejected_by_database':
      return 'recusada pelo banco de dados';
    default:
      return `${column}: ${describeProblem(problem).toLowerCase()}`;
  }
}

const entityNames: Record<string, string> = {
  user: 'Usuário',
  store: 'Loja',
  api_token: 'Token de API',
  product: 'Produto',
  buyer: 'Comprador',
  purchase_request: 'Solicitação de compra',
  item: 'Item',
  inventory_session: 'Inventário',
  import_report: 'Relatório de importação (guardado por 7 dias)',
  dead_letter: 'Falha',
  events: 'Eventos',
  compliance_template: 'Modelo de tarefa',
  compliance_task: 'Tarefa de conformidade',
  compliance_photo: 'Foto da tarefa',
  receipt: 'Recebimento',
};

const requestStatusNames: Record<string, string> = {
  draft: 'um rascunho',
  pending: 'pendente',
  partially_approved: 'parcialmente aprovada',
  approved: 'aprovada',
  rejected: 'recusada',
  closed: 'fechada',
};

const sessionStatusNames: Record<string, string> = { finalized: 'finalizado', cancelled: 'cancelado', open: 'aberto' };

/** The server's reasons, in Portuguese: what happened and what to do. */
const reasonMessages: Record<string, (d: Params) => string> = {
  // Platform
  signed_out: () => 'Sua sessão expirou. Entre novamente.',
  invalid_login: () => 'E-mail ou senha incorretos.',
  temporary_password_expired: () => 'Esta senha temporária expirou. Peça ao administrador uma nova.',
  password_change_required: () => 'Você entrou com uma senha temporária: escolha a sua senha para continuar.',
  password_too_short: (d) => `Use pelo menos ${str(d.min) || '10'} caracteres (algumas palavras formam uma boa senha).`,
  password_too_long: (d) => `Use no máximo ${str(d.max) || '200'} caracteres.`,
  password_too_common: () => 'Esta senha está entre as mais usadas; escolha outra (algumas palavras formam uma boa senha).',
  password_contains_identity: () => 'Não monte a senha com o seu e-mail ou nome.',
  password_unchanged: () => 'Escolha uma senha diferente da atual.',
  wrong_current_password: () => 'A senha atual não confere.',
  session_required: () => 'Troque a senha numa sessão aberta no navegador, não com um token de API.',
  role_required: () => 'Acesso negado: seu papel não permite esta ação.',
  operator_outside_orgs: () => 'O operador da plataforma não pertence a nenhuma rede: esta ação é das páginas de uma rede.',
  operator_only: () => 'Acesso negado: só o operador da plataforma pode fazer isto.',
  rate_limited: (d) =>
    typeof d.retryAfterSeconds === 'number' ? `Muitas tentativas. Tente novamente em ${d.retryAfterSeconds} s.` : 'Muitas tentativas. Tente novamente em alguns segundos.',
  not_found: (d) =>
    d.entity === 'product' && typeof d.missing === 'number'
      ? `${plural(d.missing, 'Um dos produtos escolhidos não existe', `${d.missing} dos produtos escolhidos não existem`)} mais no catálogo. Recarregue a página e escolha de novo.`
      : `${entityNames[str(d.entity)] ?? 'Registro'} não encontrado(a). Talvez tenha sido removido(a); recarregue a página.`,
  invalid_cursor: () => 'A lista mudou; recarregue a página.',
  value_too_large: () => 'Um valor é grande demais para ser guardado: use quantidades ou preços menores.',
  value_not_storable: () => 'Um dos valores não pode ser guardado assim (uma data fora do calendário, um caractere não permitido). Corrija e tente de novo.',
  nul_character: () => 'O texto tem um caractere invisível não permitido (NUL). Apague-o e tente de novo.',
  too_deeply_nested: () => 'Requisição inválida: dados aninhados demais.',
  too_many_items: (d) => `Itens demais de uma vez (no máximo ${str(d.max)}). Envie em partes menores.`,
  payload_too_large: () => 'O envio é grande demais. Divida-o em partes menores.',
  queue_unavailable: () => 'Serviço temporariamente indisponível. Tente novamente em instantes.',
  // People, stores, tokens
  email_taken: (d) => `Já existe um usuário com o e-mail ${str(d.email)}.`,
  store_code_taken: (d) => `O código ${str(d.code)} já está em uso por outra loja.`,
  cannot_demote_self: () => 'Você não pode desativar a si mesmo nem tirar seu próprio papel de administrador; peça a outro administrador.',
  user_inactive: (d) => (d.field === 'userId' ? 'Esse usuário está inativo; reative-o antes de criar um token para ele.' : `${str(d.name)}: cadastro inativo.`),
  store_inactive: (d) => `${str(d.store)}: cadastro inativo.`,
  dead_letter_resolved: () => 'Esta falha já foi resolvida.',
  token_id_taken: () => 'Este pedido de token já foi usado para outro token; feche o formulário e abra de novo.',
  cross_site: () => 'Pedido recusado: ele não veio desta página. Recarregue a página e tente de novo.',
  unreadable_input: () => 'Requisição inválida: os dados não puderam ser lidos.',
  // Catalogue
  ean_taken: (d) => `Já existe um produto com o EAN ${str(d.ean)}.`,
  plu_taken: (d) => `O PLU ${str(d.plu)} já é usado por outro produto.`,
  ean_unknown: (d) => `Nenhum produto com o EAN ${str(d.ean)} no catálogo.`,
  not_an_active_buyer: (d) => `${str(d.name)} não é um comprador ativo; escolha outro comprador.`,
  csv_unreadable: (d) => `O arquivo não é um CSV válido (${str(d.detail)}). Salve a planilha como CSV e tente de novo.`,
  csv_missing_column: (d) => `Falta a coluna "${str(d.column)}" no cabeçalho (linha 1).`,
  csv_empty: () => 'O arquivo está vazio.',
  too_many_labels: (d) =>
    `No máximo ${num(d.max).toLocaleString('pt-BR')} etiquetas por arquivo (foram escolhidas ${num(d.count).toLocaleString('pt-BR')}). Tire alguns produtos da seleção e gere o restante em outro arquivo.`,
  skip_past_sheet: (d) => `A folha escolhida tem ${num(d.max) + 1} etiquetas: comece numa posição de 1 a ${num(d.max) + 1}.`,
  files_busy: () => 'Outros arquivos (exportações ou etiquetas) estão sendo gerados agora. Tente de novo em alguns segundos.',
  // Photos
  photo_changed: () => 'A foto mudou desde que você a viu (outra pessoa ou a análise automática decidiu). Recarregue a fila.',
  image_not_in_review: () => 'Só um produto em revisão ou com foto recusada pode ser reprocessado.',
  image_invalid: () => 'O arquivo não é uma foto que possamos usar (JPEG, PNG, WebP, AVIF ou GIF). Tire outra foto.',
  image_too_large: () => 'A foto é grande demais. Tire outra foto com resolução menor.',
  uploads_busy: (d) => `Muitas fotos chegando ao servidor agora; esta fica guardada no tablet e será enviada em ${typeof d.retryAfterSeconds === 'number' ? d.retryAfterSeconds : 'alguns'} s.`,
  task_not_open: (d) => `Esta tarefa não aceita mais fotos nem envios: ${({ submitted: 'já foi enviada', needs_review: 'aguarda revisão', failed: 'foi reprovada e aguarda revisão', passed: 'já foi aprovada', cancelled: 'foi cancelada' } as Record<string, string>)[str(d.status)] ?? str(d.status)}.`,
  photos_required: (d) => `Esta tarefa pede ${str(d.required)} foto(s); foram enviadas ${str(d.sent)}.`,
  photos_missing: () => 'Algumas fotos ainda não chegaram ao servidor; elas serão enviadas primeiro.',
  checklist_incomplete: () => 'Marque todos os itens da lista de verificação antes de enviar.',
  comment_required: () => 'Para devolver a tarefa à loja, escreva o que deve ser corrigido.',
  task_not_in_review: () => 'Esta tarefa não aguarda mais uma decisão (alguém decidiu ou a loja enviou de novo). Recarregue a página.',
  template_changed: () => 'O modelo foi alterado por outra pessoa; recarregue a página e faça a alteração de novo.',
  once_needs_date: () => 'Um modelo de uma vez só precisa do dia.',
  once_in_past: () => 'Esse dia já passou; escolha hoje ou um dia futuro.',
  submission_id_taken: () => 'Este envio já foi usado; envie a tarefa de novo.',
  weekly_needs_days: () => 'Um modelo semanal precisa de pelo menos um dia da semana.',
  photo_id_taken: () => 'Esta foto já pertence a outra tarefa; tire a foto de novo.',
  photo_submitted: () => 'Esta foto já foi enviada com a tarefa e não pode ser removida.',
  too_many_photos: (d) => `Uma tarefa guarda no máximo ${str(d.max)} fotos antes do envio; remova algumas.`,
  storage_unavailable: () => 'O armazenamento de fotos está indisponível; a foto não foi salva. Tente de novo em um minuto.',
  openfoodfacts_disabled: () => 'A consulta ao Open Food Facts está desligada neste servidor. Preencha o produto à mão.',
  openfoodfacts_unavailable: () => 'O Open Food Facts não está respondendo. Preencha o produto à mão; ele será completado depois.',
  csv_too_many_rows: (d) => `O arquivo tem mais de ${typeof d.max === 'number' ? d.max.toLocaleString('pt-BR') : str(d.max)} linhas; divida-o em arquivos menores e importe um de cada vez.`,
  // Purchase requests
  not_your_store: (d) => `Você não trabalha na ${str(d.store)}; peça a um administrador para incluir você nela.`,
  products_inactive: (d) => `Produtos inativos não podem ser solicitados: ${list(d.products)}. Remova-os da lista.`,
  duplicate_products: () => 'Cada produto pode aparecer uma vez só; some as quantidades.',
  request_id_taken: () => 'Este identificador de solicitação já foi usado; recarregue a página e monte a solicitação de novo.',
  no_buyer: (d) => `Nenhum comprador é responsável por: ${list(d.products)}. Peça a um administrador para definir um.`,
  not_the_author: () => 'Só quem criou a solicitação ou um gerente pode enviá-la.',
  transition_not_allowed: (d) => {
    const status = requestStatusNames[str(d.status)] ?? str(d.status);
    return d.action === 'close' ? `Não é possível fechar: a solicitação já está ${status}.` : `Não é possível enviar: a solicitação está ${status}. Recarregue a página.`;
  },
  request_not_pending: (d) => `A solicitação está ${requestStatusNames[str(d.status)] ?? str(d.status)}; seus itens não podem mais ser decididos.`,
  item_already_decided: (d) => `Este item já foi ${d.status === 'approved' ? 'aprovado' : 'recusado'}.`,
  decided_meanwhile: () => 'Este item foi decidido por outra pessoa há pouco; a lista foi atualizada.',
  other_buyers_item: () => 'Este item é de outro comprador.',
  other_buyers_inbox: () => 'Só administradores veem a caixa de outro comprador.',
  approve_at_most_requested: (d) => `Aprove no máximo a quantidade pedida (${str(d.requested)}).`,
  rejection_reason_required: () => 'Informe o motivo da recusa.',
  store_required: () => 'Escolha uma das suas lojas.',
  // Stock
  operation_id_reused: () => 'Esta operação de estoque já foi registrada com outros dados; recarregue a página e faça de novo.',
  loss_not_positive: () => 'Informe a quantidade perdida como um número positivo.',
  same_store: () => 'Escolha outra loja de destino para a transferência.',
  // Receiving
  receipt_id_taken: () => 'Este identificador de recebimento já foi usado em outra loja; recarregue a página e abra de novo.',
  receipt_closed: () => 'Este recebimento já foi fechado; abra um novo para o que ainda chegar.',
  receipt_cancelled: () => 'Este recebimento foi cancelado.',
  receipt_devices_pending: (d) => {
    const devices = Array.isArray(d.devices) ? (d.devices as { userName?: string; deviceId?: string; pendingCount?: number }[]) : [];
    const total = typeof d.total === 'number' ? d.total : devices.reduce((sum, x) => sum + (x.pendingCount ?? 0), 0);
    const who = devices.map((x) => `${str(x.userName)}: ${str(x.pendingCount)}`).join('; ');
    return `${devices.length === 1 ? 'Um tablet ainda tem' : `${devices.length} tablets ainda têm`} ${plural(total, '1 leitura desta entrega não enviada', `${total} leituras desta entrega não enviadas`)} (${who}). Conecte ${devices.length === 1 ? 'o tablet' : 'os tablets'} à rede para enviar, ou um gerente fecha sem elas.`;
  },
  receipt_changed: () => 'Chegaram novas leituras a esta entrega desde que você a conferiu: confira as linhas de novo e feche.',
  excess_needs_manager: (d) => `Chegou mais do que os pedidos da loja esperam (${Array.isArray(d.lines) ? d.lines.length : 0} produto(s)): um gerente precisa aceitar o excesso para fechar.`,
  // Inventory
  session_closed: (d) =>
    d.acknowledged !== undefined
      ? `Este inventário está ${sessionStatusNames[str(d.status)] ?? str(d.status)} e não recebe mais leituras. Mostre ao gerente as leituras que ficaram neste tablet.`
      : `Este inventário está ${sessionStatusNames[str(d.status)] ?? str(d.status)} e não aceita mais alterações. Recarregue a página.`,
  session_finalized: () => 'Este inventário já foi finalizado e o estoque da loja já foi atualizado.',
  session_cancelled: () => 'Este inventário foi cancelado; abra um novo para contar de novo.',
  session_of_another_store: () => 'Este inventário é de outra loja.',
  session_id_taken: () => 'Este identificador de inventário já foi usado; recarregue a página e tente de novo.',
  session_open: (d) => `${str(d.store)} já tem um inventário aberto (aberto por ${str(d.openedBy)}); finalize ou cancele esse antes.`,
  full_scope_filtered: () => 'Um inventário completo conta todas as categorias e zonas; escolha "Parcial" para limitar.',
  partial_scope_required: () => 'Um inventário parcial precisa das categorias ou das zonas que vai contar.',
  not_assigned: () => 'Você não está designado(a) para este inventário; peça ao gerente para incluir você.',
  device_secret_mismatch: (d) => `O servidor não reconheceu a identificação do tablet ${str(d.deviceId)}.`,
  recount_arrived: (d) => `Já chegou a recontagem de ${list(d.eans)}; o pedido não pode mais ser retirado.`,
  not_at_store: (d) => `${str(d.name)} não trabalha na ${str(d.store)}; peça a um administrador para incluir essa pessoa na loja.`,
  buyer_cannot_count: (d) => `${str(d.name)} é comprador(a); só operadores, gerentes e administradores contam estoque.`,
  uncounted_lines: (d) =>
    `${plural(num(d.lines), '1 linha nunca foi contada', `${num(d.lines)} linhas nunca foram contadas`)} e ${num(d.lines) === 1 ? 'tem' : 'têm'} estoque esperado de ${brl(num(d.value))}. Escolha: contar agora, manter a quantidade esperada ou zerar o estoque delas.`,
  uncounted_confirmation: (d) =>
    `Agora ${plural(num(d.lines), 'é 1 linha não contada', `são ${num(d.lines)} linhas não contadas`)} (estoque esperado de ${brl(num(d.value))}), não ${str(d.confirmed)}: confira a revisão antes de zerar.`,
  too_many_uncounted: (d) => `Mais de ${str(d.max)} linhas nunca foram contadas: peça a contagem por zona ou categoria, ou decida na finalização o que fazer com elas.`,
  devices_pending: (d) => {
    const devices = Array.isArray(d.devices) ? (d.devices as { userName?: string; deviceId?: string; pendingCount?: number }[]) : [];
    const total = typeof d.total === 'number' ? d.total : devices.reduce((sum, x) => sum + (x.pendingCount ?? 0), 0);
    const who = devices.map((x) => `${str(x.userName)} (${str(x.deviceId)}): ${str(x.pendingCount)}`).join('; ');
    const one = devices.length === 1;
    return `${one ? 'Um tablet ainda tem' : `${devices.length} tablets ainda têm`} ${plural(total, '1 leitura não sincronizada', `${total} leituras não sincronizadas`)} (${who}). Sincronize ${one ? 'o tablet' : 'os tablets'}, ou force a finalização para deixar essas leituras de fora.`;
  },
};

/** One sentence in Portuguese that tells the person what happened and what to do. */
export function describeError(error: AnyError): string {
  if (!error) return '';
  if (isNetworkError(error)) return 'Sem conexão com o servidor. Verifique sua rede e tente novamente.';
  const data = dataOf(error);
  const reason = data?.reason;
  if (reason && reasonMessages[reason]) return reasonMessages[reason](data?.details ?? {});
  switch (data?.code) {
    case 'UNAUTHORIZED':
      return 'Sua sessão expirou. Entre novamente.';
    case 'FORBIDDEN':
      return 'Acesso negado: seu papel não permite esta ação.';
    case 'TOO_MANY_REQUESTS':
      return reasonMessages.rate_limited!(data?.details ?? {});
    case 'BAD_REQUEST': {
      const issues = data.issues ?? [];
      if (issues.some((i) => i.params?.field)) return 'Verifique os campos destacados.';
      // A refusal not tied to a field is a bug on our side, not the person's: say it plainly.
      return issues.length > 0 ? `Requisição inválida: ${issues.map(describeProblem).join('; ')}` : 'Requisição inválida.';
    }
    case 'SERVICE_UNAVAILABLE':
      return 'Serviço temporariamente indisponível. Tente novamente em instantes.';
    case 'INTERNAL_SERVER_ERROR':
      return 'Erro interno no servidor. Tente novamente; se continuar, avise o suporte.';
    default:
      return 'Não foi possível concluir a operação. Recarregue a página e tente de novo.';
  }
}

const statusCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * A refusal of one of the server's file routes (exports, labels: `{ error, reason, details, issues }` with an HTTP
 * status) as the error shape `describeError` words, like the API's.
 */
export function fileRouteError(status: number, body: unknown): { message: string; data: ErrorData } {
  const b = body && typeof body === 'object' ? (body as { error?: unknown; reason?: unknown; details?: unknown; issues?: unknown }) : {};
  return {
    message: typeof b.error === 'string' ? b.error : `HTTP ${status}`,
    data: {
      code: statusCodes[status] ?? 'INTERNAL_SERVER_ERROR',
      httpStatus: status,
      reason: typeof b.reason === 'string' ? b.reason : null,
      details: b.details && typeof b.details === 'object' ? (b.details as Record<string, unknown>) : null,
      issues: Array.isArray(b.issues) ? (b.issues as Problem[]) : null,
    },
  };
}
