import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeIdentity, markChangeDone, mergeWaitingChanges } from './waiting-changes';

type Mutation = Parameters<typeof mergeWaitingChanges>[0][number];
const create = (id: string, status: 'pending' | 'error' = 'pending'): Mutation =>
  ({ mutationKey: [['purchaseRequests', 'create']], state: { variables: { id }, status, isPaused: status === 'pending' } }) as unknown as Mutation;
const ids = (list: Mutation[]) => list.map((m) => (m.state.variables as { id: string }).id);

/** localStorage as the tabs share it (Node has none). */
class MemoryStorage {
  private items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

describe('waiting changes across tabs', () => {
  beforeEach(() => {
    (globalThis as { localStorage?: unknown }).localStorage = new MemoryStorage();
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it("keeps the row's changes this tab does not know, and this tab's own version of the ones it does", () => {
    const mine = [create('a', 'error')];
    const stored = [create('a'), create('b')];
    const merged = mergeWaitingChanges(mine, stored);
    expect(ids(merged)).toEqual(['a', 'b']);
    expect(merged[0]!.state.status).toBe('error');
  });

  it('drops, from both, a change some tab saw land or the person dismissed', () => {
    markChangeDone(changeIdentity([['purchaseRequests', 'create']], { id: 'b' }));
    expect(ids(mergeWaitingChanges([create('a'), create('b')], [create('b'), create('c')]))).toEqual(['a', 'c']);
  });

  it('names a change by its procedure and client-made id; one without an id is never merged in', () => {
    expect(changeIdentity([['purchaseRequests', 'submit']], { id: 'x' })).toBe('[["purchaseRequests","submit"]]:x');
    expect(changeIdentity([['purchaseRequests', 'submit']], {})).toBeNull();
    const anonymous = { mutationKey: [['auth', 'logout']], state: { variables: undefined, status: 'pending' } } as unknown as Mutation;
    expect(mergeWaitingChanges([], [anonymous])).toEqual([]);
  });
});
