import { describe, expect, it } from 'vitest';
import { landingPath } from './redirect';

describe('landingPath', () => {
  it("takes the platform operator to its own pages, or to Bull Board when it was going there, never to an org's page", () => {
    expect(landingPath('operator', '/')).toBe('/operator');
    expect(landingPath('operator', '/admin/users')).toBe('/operator');
    expect(landingPath('operator', '/operator/dead-letters')).toBe('/operator/dead-letters');
    expect(landingPath('operator', '/admin/queues')).toBe('/admin/queues');
    expect(landingPath('operator', '/operatorx')).toBe('/operator');
  });

  it("takes a member where they were going, unless that is the operator's", () => {
    expect(landingPath('member', '/inventory')).toBe('/inventory');
    expect(landingPath('member', '/operator')).toBe('/');
    expect(landingPath('member', '/admin/queues?x=1')).toBe('/');
  });
});
