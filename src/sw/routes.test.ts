import { describe, expect, it } from 'vitest';
import { isCountingPage, isOfflineQuery, isStaticAsset } from './routes';

const url = (path: string) => new URL(path, 'https://loja.example');
const input = `input=${encodeURIComponent(JSON.stringify({ 0: { json: { id: 'abc' } } }))}`;

describe('offline service worker routes', () => {
  it('keeps the counting pages and nothing beside them', () => {
    expect(isCountingPage(url('/inventory'))).toBe(true);
    expect(isCountingPage(url('/inventory/3f1c/count'))).toBe(true);
    expect(isCountingPage(url('/inventory/3f1c'))).toBe(true);
    expect(isCountingPage(url('/inventory-report'))).toBe(false);
    expect(isCountingPage(url('/dashboard'))).toBe(false);
  });

  it('keeps the offline queries alone or batched, in plain or percent-encoded form', () => {
    expect(isOfflineQuery(url('/api/trpc/auth.me'))).toBe(true);
    expect(isOfflineQuery(url(`/api/trpc/inventory.byId?${input}`))).toBe(true);
    expect(isOfflineQuery(url(`/api/trpc/auth.me,inventory.byId?batch=1&${input}`))).toBe(true);
    expect(isOfflineQuery(url(`/api/trpc/auth.me%2Cinventory.byId?batch=1&${input}`))).toBe(true);
  });

  it('never keeps other API calls, a batch that mixes one in, or a live stream', () => {
    expect(isOfflineQuery(url(`/api/trpc/auth.me,notifications.list?batch=1&${input}`))).toBe(false);
    expect(isOfflineQuery(url('/api/trpc/inventory.sync'))).toBe(false);
    expect(isOfflineQuery(url('/api/trpc/dashboard.live'))).toBe(false);
    expect(isOfflineQuery(url('/api/health'))).toBe(false);
    expect(isOfflineQuery(url('/auth.me'))).toBe(false);
  });

  it('treats only Next’s build output as static', () => {
    expect(isStaticAsset(url('/_next/static/chunks/29ohn3jm605yp.js'))).toBe(true);
    expect(isStaticAsset(url('/_next/image?url=x'))).toBe(false);
    expect(isStaticAsset(url('/sw.js'))).toBe(false);
  });
});
