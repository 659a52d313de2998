import { describe, expect, it } from 'vitest';
import { landingPath, safeNextPath } from './redirect';

describe('safeNextPath', () => {
  it('keeps our own paths, with their query and fragment', () => {
    expect(safeNextPath('/inventory/abc/count?x=1#z')).toBe('/inventory/abc/count?x=1#z');
    expect(safeNextPath('/admin/queues')).toBe('/admin/queues');
  });

  it('sends anything that would leave the site, or loop back to the login, home', () => {
    for (const next of ['//evil.example', '/\\evil.example', '/\t/evil.example/steal', '/\n/evil.example', '/\r/evil.example', 'https://evil.example', 'javascript:alert(1)', '/login', '/login?next=/x', '', null, undefined]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBe('/');
    }
  });

  it('reads the next parameter as the login page receives it (decoded)', () => {
    const next = new URLSearchParams('next=/%09/evil.example/steal').get('next');
    expect(safeNextPath(next)).toBe('/');
  });
});

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
