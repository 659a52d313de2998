import { describe, expect, it } from 'vitest';
import { isCountingPage, isOfflinePage, isOfflineQuery, isProductPhoto, isStaticAsset } from './routes';

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

  it('keeps the compliance pages too (photos are taken where there may be no signal)', () => {
    expect(isOfflinePage(url('/compliance'))).toBe(true);
    expect(isOfflinePage(url('/compliance/3f1c'))).toBe(true);
    expect(isOfflinePage(url('/inventory/3f1c/count'))).toBe(true);
    expect(isOfflinePage(url('/compliance-report'))).toBe(false);
    expect(isOfflinePage(url('/dashboard'))).toBe(false);
    expect(isOfflineQuery(url(`/api/trpc/auth.me,compliance.task?batch=1&${input}`))).toBe(true);
    expect(isOfflineQuery(url('/api/trpc/compliance.uploadPhoto'))).toBe(false);
  });

  it('keeps the receiving page (any delivery: it is in the query string) and its queries, not its mutations', () => {
    expect(isOfflinePage(url('/receiving'))).toBe(true);
    expect(isOfflinePage(url('/receiving?store=1&receipt=2'))).toBe(true);
    expect(isOfflinePage(url('/receiving-report'))).toBe(false);
    expect(isOfflineQuery(url(`/api/trpc/auth.me,receiving.toReceive,receiving.byId?batch=1&${input}`))).toBe(true);
    expect(isOfflineQuery(url('/api/trpc/receiving.sync'))).toBe(false);
    expect(isOfflineQuery(url('/api/trpc/receiving.close'))).toBe(false);
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

  it('keeps product photos by their immutable address, and nothing else under /api/images', () => {
    const photo = '/api/images/products/0b6f8f8e-4f5c-4d7e-9a3b-2c1d0e9f8a7b/5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c';
    expect(isProductPhoto(url(`${photo}/thumb`))).toBe(true);
    expect(isProductPhoto(url(`${photo}/large`))).toBe(true);
    expect(isProductPhoto(url(`${photo}/original`))).toBe(true);
    expect(isProductPhoto(url(`${photo}/huge`))).toBe(false);
    expect(isProductPhoto(url(`${photo}/thumb/extra`))).toBe(false);
    expect(isProductPhoto(url('/api/images/products/'))).toBe(false);
    expect(isProductPhoto(url('/api/images/other/a/b/thumb'))).toBe(false);
    expect(isProductPhoto(url('/api/trpc/images.reviewQueue'))).toBe(false);
  });

  it("keeps the pages of a store's day: home, requests and their answers, approvals, catalogue, stock; not the admin ones", () => {
    for (const path of ['/', '/purchase-requests', '/purchase-requests/new', '/purchase-requests/3f1c', '/approvals', '/catalogue', '/stock', '/stock/3f1c'])
      expect(isOfflinePage(url(path)), path).toBe(true);
    for (const path of ['/admin', '/admin/users', '/dashboard', '/photos', '/conta', '/purchase-requests-report', '/operator', '/login'])
      expect(isOfflinePage(url(path)), path).toBe(false);
  });
});
