import { describe, expect, it } from 'vitest';
import { describeError, describeRowProblem, fieldErrors, fileRouteError, retryAfterSeconds } from './errors';

const serverError = (code: string, reason: string | null, details: Record<string, unknown> | null = null, message = 'English words nobody reads') => ({
  message,
  data: { code, reason, details },
});

describe('describeError', () => {
  it('words the server’s reasons in Portuguese from their data, whatever the English message says', () => {
    const devices = [
      { userName: 'Ana', deviceId: 'tab-1', pendingCount: 10 },
      { userName: 'Beto', deviceId: 'tab-2', pendingCount: 5 },
    ];
    expect(describeError(serverError('PRECONDITION_FAILED', 'devices_pending', { devices, total: 15 }))).toBe(
      '2 tablets ainda têm 15 leituras não sincronizadas (Ana (tab-1): 10; Beto (tab-2): 5). Sincronize os tablets, ou force a finalização para deixar essas leituras de fora.',
    );
    expect(describeError(serverError('CONFLICT', 'session_open', { store: 'Loja Centro', openedBy: 'Gerente Maria', sessionId: 'x' }))).toBe(
      'Loja Centro já tem um inventário aberto (aberto por Gerente Maria); finalize ou cancele esse antes.',
    );
    expect(describeError(serverError('BAD_REQUEST', 'partial_scope_required', { field: 'categories' }))).toBe('Um inventário parcial precisa das categorias ou das zonas que vai contar.');
    expect(describeError(serverError('CONFLICT', 'user_inactive', { name: 'João', field: 'assignments' }))).toBe('João: cadastro inativo.');
    expect(describeError(serverError('BAD_REQUEST', 'value_too_large'))).toContain('grande demais');
    expect(describeError(serverError('NOT_FOUND', 'not_found', { entity: 'store' }))).toMatch(/^Loja não encontrad/);
  });

  it('words a file route’s JSON refusal (labels, exports) as the API’s', () => {
    expect(describeError(fileRouteError(400, { error: 'At most 1000 labels per PDF (1200 asked)', reason: 'too_many_labels', details: { max: 1000, count: 1200 } }))).toBe(
      'No máximo 1.000 etiquetas por arquivo (foram escolhidas 1.200). Tire alguns produtos da seleção e gere o restante em outro arquivo.',
    );
    expect(describeError(fileRouteError(404, { reason: 'not_found', details: { entity: 'product', ids: ['a', 'b'], missing: 2 } }))).toBe(
      '2 dos produtos escolhidos não existem mais no catálogo. Recarregue a página e escolha de novo.',
    );
    expect(describeError(fileRouteError(401, { reason: 'signed_out' }))).toBe('Sua sessão expirou. Entre novamente.');
    expect(describeError(fileRouteError(502, null))).toBe('Erro interno no servidor. Tente novamente; se continuar, avise o suporte.');
  });

  it('waits as long as the server asks, from its data', () => {
    const limited = serverError('TOO_MANY_REQUESTS', 'rate_limited', { retryAfterSeconds: 12 }, 'Too many requests; try again in 99 s');
    expect(retryAfterSeconds(limited)).toBe(12);
    expect(describeError(limited)).toBe('Muitas tentativas. Tente novamente em 12 s.');
    expect(describeError(serverError('TOO_MANY_REQUESTS', null))).toBe('Muitas tentativas. Tente novamente em alguns segundos.');
  });

  it('a service outage is a sentence in Portuguese, not the server’s words', () => {
    expect(describeError(serverError('SERVICE_UNAVAILABLE', 'queue_unavailable'))).toBe('Serviço temporariamente indisponível. Tente novamente em instantes.');
    expect(describeError(serverError('SERVICE_UNAVAILABLE', null))).toBe('Serviço temporariamente indisponível. Tente novamente em instantes.');
  });
});

describe('fieldErrors', () => {
  it('puts each refused value under its field, in Portuguese, from its reason and limits', () => {
    const error = {
      message: 'x',
      data: {
        code: 'BAD_REQUEST',
        reason: 'invalid_input',
        issues: [
          { reason: 'too_long', params: { field: 'name', max: 120 }, message: 'Too big' },
          { reason: 'ean_digits', params: { field: 'ean' }, message: 'must be 13 digits' },
          { reason: 'too_many_decimals', params: { field: 'quantity', decimals: 3 }, message: 'Invalid number' },
        ],
      },
    };
    expect(fieldErrors(error)).toEqual({ name: 'Use no máximo 120 caracteres', ean: 'Use 13 dígitos', quantity: 'Use no máximo 3 casas decimais' });
    expect(describeError(error)).toBe('Verifique os campos destacados.');
  });
});

describe('describeRowProblem', () => {
  it('says what is wrong with a row of an import file', () => {
    expect(describeRowProblem({ reason: 'ean_repeated', params: { line: 4 } })).toBe('EAN repetido: já aparece na linha 4');
    expect(describeRowProblem({ reason: 'required', params: { field: 'name' } })).toBe('falta o nome');
    expect(describeRowProblem({ reason: 'not_a_price', params: { value: '12,5x', field: 'referencePrice' } })).toBe('"12,5x" não é um preço (use 12,50 ou 12.50)');
    expect(describeRowProblem({ reason: 'plu_taken', params: { plu: '1234', ean: '7891000100103' } })).toBe('o PLU 1234 já é do EAN 7891000100103');
  });
});
