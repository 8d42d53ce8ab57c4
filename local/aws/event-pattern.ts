/**
 * EventBridge pattern matching for the local runtime, covering the operators this project's rules
 * use (exact values, `wildcard`, `prefix`, `suffix`, `numeric`, `exists`, `anything-but`,
 * `equals-ignore-case`). An operator it does not know is an error, never a silent mismatch.
 */
export function matchesPattern(event: unknown, pattern: Record<string, unknown>): boolean {
  if (event === null || typeof event !== 'object') return false;
  const record = event as Record<string, unknown>;
  return Object.entries(pattern).every(([field, rule]) => {
    const value = record[field];
    if (Array.isArray(rule)) return rule.some((matcher) => matchesValue(value, matcher));
    if (rule !== null && typeof rule === 'object')
      return matchesPattern(value, rule as Record<string, unknown>);
    throw new Error(`event pattern field "${field}" must be an array or an object`);
  });
}

function matchesValue(value: unknown, matcher: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => matchesValue(v, matcher));
  if (matcher === null || typeof matcher !== 'object') return value === matcher;
  const [op, arg] = Object.entries(matcher as Record<string, unknown>)[0] ?? [];
  switch (op) {
    case 'exists':
      return arg ? value !== undefined : value === undefined;
    case 'prefix':
      return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'suffix':
      return typeof value === 'string' && typeof arg === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      return (
        typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase()
      );
    case 'wildcard':
      return typeof value === 'string' && typeof arg === 'string' && wildcardRegExp(arg).test(value);
    case 'numeric':
      return typeof value === 'number' && matchesNumeric(value, arg as unknown[]);
    case 'anything-but': {
      if (value === undefined) return false;
      const excluded = Array.isArray(arg) ? arg : [arg];
      return excluded.every((x) => !matchesValue(value, x));
    }
    default:
      throw new Error(`the local event bus does not implement the "${String(op)}" operator`);
  }
}

function matchesNumeric(value: number, conditions: unknown[]): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      op === '>'
        ? value > bound
        : op === '>='
          ? value >= bound
          : op === '<'
            ? value < bound
            : op === '<='
              ? value <= bound
              : op === '='
                ? value === bound
                : false;
    if (!ok) return false;
  }
  return true;
}

function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      i += 1;
      source += escapeRegExp(pattern[i] as string);
    } else if (c === '*') {
      source += '.*';
    } else {
      source += escapeRegExp(c);
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
