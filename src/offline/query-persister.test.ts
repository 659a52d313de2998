import type { PersistedClient } from '@tanstack/react-query-persist-client';
import { describe, expect, it } from 'vitest';
import { forStorage, MAX_KEPT_ANSWERS } from './query-persister';

type Query = PersistedClient['clientState']['queries'][number];
type Mutation = PersistedClient['clientState']['mutations'][number];
const answer = (n: number): Query => ({ queryKey: [['products', 'list'], { input: { search: `s${n}` } }], queryHash: `q${n}`, state: { data: n, dataUpdatedAt: 1_000 + n, status: 'success' } }) as unknown as Query;
const client = (queries: Query[], mutations: Mutation[] = []): PersistedClient => ({ timestamp: 1, buster: 'b', clientState: { queries, mutations } });

describe('what IndexedDB keeps', () => {
  it('keeps the most recent answers, at most MAX_KEPT_ANSWERS', () => {
    const many = Array.from({ length: MAX_KEPT_ANSWERS + 50 }, (_, n) => answer(n));
    const kept = forStorage(client(many)).clientState.queries;
    expect(kept).toHaveLength(MAX_KEPT_ANSWERS);
    expect(Math.min(...kept.map((q) => q.state.data as number))).toBe(50);
    const few = [answer(1), answer(2)];
    expect(forStorage(client(few)).clientState.queries).toBe(few);
  });

  it('keeps a change caught in flight as waiting, and a refusal as the plain error the screens read', () => {
    const inFlight = { mutationKey: [['purchaseRequests', 'create']], state: { status: 'pending', isPaused: false, variables: { id: 'a' } } } as unknown as Mutation;
    const refusal = Object.assign(new Error('Inactive products cannot be requested'), { data: { code: 'CONFLICT', reason: 'products_inactive' } });
    const refused = { mutationKey: [['purchaseRequests', 'create']], state: { status: 'error', isPaused: false, error: refusal, variables: { id: 'b' } } } as unknown as Mutation;
    const [waiting, stored] = forStorage(client([], [inFlight, refused])).clientState.mutations;
    expect(waiting!.state.isPaused).toBe(true);
    expect(stored!.state.error).toEqual({ name: 'TRPCClientError', message: 'Inactive products cannot be requested', data: { code: 'CONFLICT', reason: 'products_inactive' } });
    expect(stored!.state.error).not.toBeInstanceOf(Error);
  });
});
