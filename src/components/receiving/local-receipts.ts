/**
 * The deliveries opened on this tablet, so one opened offline (not yet on the server) can be found again after a
 * reload. Kept per user in localStorage; a receipt leaves the list once it is closed.
 */
export type LocalReceipt = { id: string; storeId: string; openedAt: string };

const key = (userId: string) => `receiving:open:${userId}`;

export function localReceipts(userId: string): LocalReceipt[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(key(userId)) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as LocalReceipt[]).filter((r) => typeof r?.id === 'string' && typeof r.storeId === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberReceipt(userId: string, receipt: LocalReceipt) {
  const rest = localReceipts(userId).filter((r) => r.id !== receipt.id);
  localStorage.setItem(key(userId), JSON.stringify([receipt, ...rest].slice(0, 50)));
}

export function forgetReceipt(userId: string, id: string) {
  localStorage.setItem(key(userId), JSON.stringify(localReceipts(userId).filter((r) => r.id !== id)));
}
