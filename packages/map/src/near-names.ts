/** Edit distance between two short names (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The names close enough to `name` to be what was meant (a typo, a prefix), nearest first, at most three:
 * `shopfy` → `shopify`.
 */
export function nearNames(name: string, names: Iterable<string>): ReadonlyArray<string> {
  const wanted = name.toLowerCase();
  const scored: Array<{ name: string; score: number }> = [];
  for (const candidate of names) {
    const lower = candidate.toLowerCase();
    const score = lower.startsWith(wanted) || wanted.startsWith(lower) ? 0 : distance(wanted, lower);
    if (score <= Math.max(2, Math.floor(candidate.length / 3))) scored.push({ name: candidate, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((s) => s.name);
}

/** `Did you mean "a" or "b"?`, or the empty string when nothing is near. */
export function didYouMean(name: string, names: Iterable<string>): string {
  const near = nearNames(name, names).map((n) => `"${n}"`);
  if (near.length === 0) return '';
  return ` Did you mean ${near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`}?`;
}
