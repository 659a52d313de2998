import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiDocsFile, renderApiDocs } from '../../../scripts/api-docs';
import { appRouter } from './root';

describe('docs/api.md', () => {
  const fresh = renderApiDocs();

  it('is what the router says now (else: run npm run docs:api)', () => {
    const checkedIn = readFileSync(apiDocsFile, 'utf8');
    if (checkedIn === fresh) return;
    const [a, b] = [checkedIn.split('\n'), fresh.split('\n')];
    const line = a.findIndex((l, i) => l !== b[i]);
    expect.fail(
      `${apiDocsFile} is out of date: run npm run docs:api and commit it.\n` +
        `First difference at line ${line + 1}:\n  checked in: ${a[line] ?? '(end of file)'}\n  from the router: ${b[line] ?? '(end of file)'}`,
    );
  });

  it('has an entry for every procedure', () => {
    for (const path of Object.keys(appRouter._def.procedures)) expect(fresh, path).toContain(`\n### ${path}\n`);
  });
});
