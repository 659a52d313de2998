import { z } from 'zod';

/**
 * A refusal of one value, row or field, in a form both a script and the screen can act on: `reason` is stable,
 * `params` carry what a sentence about it needs (the limit, the line, the value), `message` is English for
 * developers. The client words it in Portuguese from `reason` and `params` only.
 */
export type Problem = { reason: string; params: Record<string, string | number | boolean | null>; message: string };

export const problem = (reason: string, message: string, params: Problem['params'] = {}): Problem => ({ reason, params, message });

/** A text check whose refusal carries its own reason (a regex alone would only say "invalid format"). */
export const matching = (pattern: RegExp, reason: string, message: string) =>
  z
    .string()
    .trim()
    .refine((v) => pattern.test(v), { message, params: { reason }, abort: true });

const decimalsOf = (divisor: number) => Math.max(0, -Math.floor(Math.log10(divisor) + 1e-9));

/** A zod issue as a Problem: the reason comes from the issue's code and limits (or a check's own `reason`), never from its message. */
export function problemOfIssue(issue: z.core.$ZodIssue): Problem {
  const field = issue.path.length > 0 ? String(issue.path[0]) : null;
  const at = (reason: string, params: Problem['params'] = {}) => problem(reason, issue.message, { field, ...params });
  switch (issue.code) {
    case 'too_small': {
      if (issue.origin === 'date') return at('date_out_of_range');
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? at('required') : at('too_short', { min });
      if (issue.origin === 'array' || issue.origin === 'set') return at('too_few', { min });
      return issue.inclusive === false ? at('must_exceed', { min }) : at('too_small', { min });
    }
    case 'too_big': {
      if (issue.origin === 'date') return at('date_out_of_range');
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return at('too_long', { max });
      if (issue.origin === 'array' || issue.origin === 'set') return at('too_many', { max });
      return at('too_large', { max });
    }
    case 'not_multiple_of':
      return at('too_many_decimals', { decimals: decimalsOf(Number(issue.divisor)) });
    case 'invalid_type':
      if (issue.expected === 'int') return at('not_an_integer');
      if (issue.expected === 'number') return at('not_a_number');
      if (issue.expected === 'date') return at('invalid_date');
      if (issue.expected === 'undefined' || issue.expected === 'never') return at('unknown_field');
      return at(issue.input === undefined ? 'required' : 'invalid_type', { expected: String(issue.expected) });
    case 'invalid_format':
      if (issue.format === 'email') return at('invalid_email');
      if (issue.format === 'uuid' || issue.format === 'guid') return at('invalid_id');
      if (issue.format === 'url') return at('invalid_url');
      return at('invalid_format', { format: issue.format });
    case 'invalid_value':
      return at('invalid_option');
    case 'unrecognized_keys':
      return problem('unknown_field', issue.message, { field: issue.keys.join(', ') });
    case 'custom': {
      const reason = typeof issue.params?.reason === 'string' ? issue.params.reason : 'invalid';
      const { reason: _reason, ...rest } = (issue.params ?? {}) as Record<string, string | number>;
      return at(reason, rest);
    }
    default:
      return at('invalid');
  }
}
