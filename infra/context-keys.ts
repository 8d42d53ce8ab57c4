/**
 * Context keys that look like a vl-ingest setting but are not one (`-c Trigger=marker`,
 * `-c quietsecond=5`): CDK would ignore them without a word, and the deployment would quietly run
 * with the default instead.
 */

/** Keys of CDK and its CLI (feature flags, `aws:cdk:*`, lookups, `cli-telemetry`): never ours. */
function isToolKey(key: string): boolean {
  return /[:@/]/.test(key) || key === 'cli-telemetry';
}

/**
 * The edit distance between two strings: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count one.
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The setting a key resembles (several when equally close): the same name in another case, one at
 * most two edits away, or one that contains it (or that it contains) when the shorter has five
 * characters or more (`bucket` for `bucketName`).
 */
export function lookAlikes(key: string, settings: readonly string[]): string[] {
  const typed = key.toLowerCase();
  return settings
    .map((setting) => {
      const name = setting.toLowerCase();
      const distance = editDistance(typed, name);
      const contained =
        Math.min(typed.length, name.length) >= 5 && (name.includes(typed) || typed.includes(name));
      return { setting, distance, near: distance <= 2 || contained };
    })
    .filter((candidate, _, all) => {
      const closest = Math.min(...all.filter((c) => c.near).map((c) => c.distance));
      return candidate.near && candidate.distance === closest;
    })
    .map((candidate) => candidate.setting);
}

/**
 * One problem per context key that is not a setting but resembles one, naming the key, its value
 * and the setting(s) it resembles. CDK's own keys and keys that resemble no setting are left alone.
 */
export function lookAlikeKeyProblems(
  keys: Iterable<string>,
  settings: readonly string[],
  read: (key: string) => unknown,
): string[] {
  const problems: string[] = [];
  for (const key of keys) {
    if (settings.includes(key) || isToolKey(key)) continue;
    const meant = lookAlikes(key, settings);
    if (meant.length === 0) continue;
    problems.push(
      `${key}=${JSON.stringify(read(key))} is not a vl-ingest setting: did you mean ${meant.join(' or ')}?`,
    );
  }
  return problems;
}
