import { describe, expect, it } from 'vitest';
import { describeError } from './errors';

const serverError = (code: string, message: string) => ({ message, data: { code } });

describe('describeError', () => {
  it('turns the server messages a person meets into Portuguese, keeping the names and figures', () => {
    expect(describeError(serverError('PRECONDITION_FAILED', '2 device(s) still hold 15 unsynced count(s): Ana (tab-1): 10; Beto (tab-2): 5. Sync them, or force the finalize to leave those counts out.'))).toBe(
      '2 tablets ainda têm 15 leituras não sincronizadas (Ana (tab-1): 10; Beto (tab-2): 5). Sincronize os tablets, ou force a finalização para deixar essas leituras de fora.',
    );
    expect(describeError(serverError('CONFLICT', 'Loja Centro already has an open inventory (opened by Gerente Maria); finalize or cancel it first'))).toBe(
      'Loja Centro já tem um inventário aberto (aberto por Gerente Maria); finalize ou cancele esse antes.',
    );
    expect(describeError(serverError('BAD_REQUEST', 'A partial inventory needs the categories or zones it counts'))).toBe('Um inventário parcial precisa das categorias ou das zonas que vai contar.');
    expect(describeError(serverError('CONFLICT', 'João is inactive'))).toBe('João: cadastro inativo.');
    expect(describeError(serverError('BAD_REQUEST', 'A value is too large to store: use smaller quantities or prices'))).toContain('grande demais');
    expect(describeError(serverError('TOO_MANY_REQUESTS', 'Too many requests'))).toBe('Muitas tentativas. Tente novamente em alguns segundos.');
  });

  it('a service outage is a sentence in Portuguese, not the server’s words', () => {
    expect(describeError(serverError('SERVICE_UNAVAILABLE', 'The event queue is unreachable'))).toBe('Serviço temporariamente indisponível. Tente novamente em instantes.');
  });
});
