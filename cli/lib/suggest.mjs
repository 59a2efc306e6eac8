/**
 * "Did you mean": the known name closest to a mistyped one, by edit distance.
 */

/**
 * Edits between two words: insertions, deletions, substitutions, and a swap of neighbours
 * (`clinets`) counted as one (optimal string alignment distance).
 * @param {string} a
 * @param {string} b
 */
export function editDistance(a, b) {
  // Three rows of the table suffice: the swap looks two rows back.
  let before = /** @type {number[]} */ ([]);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current.push(best);
    }
    [before, previous] = [previous, current];
  }
  return previous[b.length] ?? 0;
}

/**
 * The name in `known` that `given` most likely meant: the nearest within a third of its length
 * (at least one edit), else the only one it begins (`--redirect` for `--redirect-uri`).
 * @param {string} given
 * @param {readonly string[]} known
 * @returns {string | undefined}
 */
export function closest(given, known) {
  const word = given.toLowerCase();
  let best;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best !== undefined) return best;
  const extended = word.length >= 3 ? known.filter((candidate) => candidate.startsWith(word)) : [];
  return extended.length === 1 ? extended[0] : undefined;
}

/**
 * ` Did you mean X?`, or nothing when no name is close.
 * @param {string} given
 * @param {readonly string[]} known
 * @param {(name: string) => string} [show]  how to write the name, e.g. with its `--`
 */
export function didYouMean(given, known, show = (name) => name) {
  const match = closest(given, known);
  return match === undefined ? '' : ` Did you mean ${show(match)}?`;
}
