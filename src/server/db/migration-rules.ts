/**
 * Expand, then contract (README "Rollback"): a migration must leave the schema usable by the release before it, so
 * a deploy can be rolled back by running the previous release's code against the migrated database. What breaks
 * the previous release — a table, column or type it reads going away or renamed, a column's type changed, a column
 * it does not write becoming required — belongs in a later migration (the contract step), once no running release
 * uses what it removes, and is marked `-- contract: <why it is safe now>` on the line before the statement.
 */
const BREAKING: { rule: RegExp; why: string }[] = [
  { rule: /\bDROP\s+(TABLE|VIEW|MATERIALIZED\s+VIEW|TYPE|FUNCTION|SCHEMA|SEQUENCE|TRIGGER)\b/i, why: 'drops something the previous release may use' },
  { rule: /\bALTER\s+COLUMN\s+\S+\s+DROP\s+DEFAULT\b/i, why: 'drops a default the previous release relies on when it inserts' },
  { rule: /\bADD\s+CONSTRAINT\b[^;]*\b(CHECK|UNIQUE|FOREIGN\s+KEY|PRIMARY\s+KEY|EXCLUDE)\b/i, why: 'adds a constraint the previous release\'s writes may break' },
  { rule: /\bDROP\s+COLUMN\b/i, why: 'drops a column the previous release reads or writes' },
  { rule: /\bRENAME\b/i, why: 'renames what the previous release names' },
  { rule: /\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b/i, why: 'changes a column type under the previous release' },
  { rule: /\bSET\s+NOT\s+NULL\b/i, why: 'makes a column the previous release may leave empty required' },
  { rule: /\bADD\s+COLUMN\b(?![^;]*\bDEFAULT\b)[^;]*\bNOT\s+NULL\b/i, why: 'adds a required column without a default: the previous release inserts rows without it' },
];

/** Migrations before this one predate the rule (the first release that can be rolled back to runs 0025). */
export const FIRST_RULED_MIGRATION = 26;

export type RuleBreak = { file: string; statement: string; why: string };

/** The statements of one migration file (drizzle's `--> statement-breakpoint` between them) that break the rule. */
export function breakingStatements(file: string, sql: string): RuleBreak[] {
  const found: RuleBreak[] = [];
  // A table this migration creates is new to every release: what is done to it here breaks nobody.
  const created = new Set([...sql.matchAll(/\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([\w.]+)"?/gi)].map((m) => m[1]!.toLowerCase()));
  for (const statement of sql.split('--> statement-breakpoint')) {
    const lines = statement.split('\n');
    const code = lines.filter((l) => !l.trim().startsWith('--')).join('\n');
    if (lines.some((l) => /^\s*--\s*contract:\s*\S/.test(l))) continue;
    const altered = /\bALTER\s+TABLE\s+(?:ONLY\s+)?"?([\w.]+)"?/i.exec(code)?.[1]?.toLowerCase();
    if (altered && created.has(altered)) continue;
    for (const { rule, why } of BREAKING) {
      if (rule.test(code)) {
        found.push({ file, statement: code.trim().slice(0, 200), why });
        break;
      }
    }
  }
  return found;
}
