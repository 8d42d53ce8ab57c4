/**
 * EventBridge pattern matching for the local runtime, covering the operators this project's rules
 * use (exact values, `wildcard`, `prefix`, `suffix`, `numeric`, `exists`, `anything-but`,
 * `equals-ignore-case`). An operator it does not know is an error, never a silent mismatch.
 */
export function matchesPattern(event: unknown, pattern: Record<string, unknown>): boolean {
  if (event === null || typeof event !== 'object') return false;
  const record = event as Record<string, unknown>;
  return Object.entries(pattern).every(([field, rule]) => {
    if (field.startsWith('$')) throw new Error(`the local event bus does not implement "${field}"`);
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
  const [op, arg] = operatorOf(matcher);
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') throw badArgument(op, arg);
      return arg ? value !== undefined : value === undefined;
    case 'prefix':
      return matchesAffix(value, op, arg, (v, a) => v.startsWith(a));
    case 'suffix':
      return matchesAffix(value, op, arg, (v, a) => v.endsWith(a));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === stringArgument(op, arg).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(stringArgument(op, arg)).test(value);
    case 'numeric':
      if (!Array.isArray(arg)) throw badArgument(op, arg);
      return typeof value === 'number' && matchesNumeric(value, arg);
    case 'anything-but':
      return value !== undefined && exclusionsOf(arg).every((x) => !matchesValue(value, x));
    default:
      throw new Error(`the local event bus does not implement the "${op}" operator`);
  }
}

/** The one operator of a matcher object and its argument. */
function operatorOf(matcher: object): [string, unknown] {
  const entries = Object.entries(matcher);
  const [entry] = entries;
  if (entries.length !== 1 || !entry) {
    throw new Error(`an event pattern matcher has exactly one operator: ${JSON.stringify(matcher)}`);
  }
  return entry;
}

/** `prefix`/`suffix` take a string (case-sensitive) or `{ "equals-ignore-case": string }`. */
function matchesAffix(
  value: unknown,
  op: string,
  arg: unknown,
  test: (v: string, a: string) => boolean,
): boolean {
  if (typeof value !== 'string') {
    if (typeof arg !== 'string' && (arg === null || typeof arg !== 'object')) throw badArgument(op, arg);
    return false;
  }
  if (typeof arg === 'string') return test(value, arg);
  if (arg !== null && typeof arg === 'object') {
    const [inner, text] = operatorOf(arg);
    if (inner !== 'equals-ignore-case') {
      throw new Error(`the local event bus does not implement "${op}" with "${inner}"`);
    }
    return test(value.toLowerCase(), stringArgument(`${op}.${inner}`, text).toLowerCase());
  }
  throw badArgument(op, arg);
}

/**
 * What `anything-but` excludes: values, a list of values, or one operator (`prefix`, `suffix`,
 * `wildcard`, `equals-ignore-case`), whose argument may then be a list.
 */
function exclusionsOf(arg: unknown): unknown[] {
  if (Array.isArray(arg)) return arg;
  if (arg === null || typeof arg !== 'object') return [arg];
  const [op, inner] = operatorOf(arg);
  if (!['prefix', 'suffix', 'wildcard', 'equals-ignore-case'].includes(op)) {
    throw new Error(`the local event bus does not implement "anything-but" with "${op}"`);
  }
  return (Array.isArray(inner) ? inner : [inner]).map((x) => ({ [op]: x }));
}

function stringArgument(op: string, arg: unknown): string {
  if (typeof arg !== 'string') throw badArgument(op, arg);
  return arg;
}

function badArgument(op: string, arg: unknown): Error {
  return new Error(`the "${op}" operator does not take ${JSON.stringify(arg)}`);
}

const COMPARISONS: Record<string, (value: number, bound: number) => boolean> = {
  '>': (v, b) => v > b,
  '>=': (v, b) => v >= b,
  '<': (v, b) => v < b,
  '<=': (v, b) => v <= b,
  '=': (v, b) => v === b,
};

function matchesNumeric(value: number, conditions: unknown[]): boolean {
  if (conditions.length === 0 || conditions.length % 2 !== 0) throw badArgument('numeric', conditions);
  for (let i = 0; i < conditions.length; i += 2) {
    const op = String(conditions[i]);
    const bound = conditions[i + 1];
    const compare = COMPARISONS[op];
    if (!compare) throw new Error(`the local event bus does not implement the numeric comparison "${op}"`);
    if (typeof bound !== 'number') throw badArgument('numeric', conditions);
    if (!compare(value, bound)) return false;
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
