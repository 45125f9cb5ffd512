/**
 * A small seeded pseudo-random generator for the fixture generator and the ERP simulator.
 *
 * mulberry32 is fast, has a 2^32 period (far more than any fixture needs) and — unlike `Math.random` —
 * gives the same sequence for the same seed on every machine, which makes fixtures byte-identical.
 */

/** A seeded random source with the helpers the dataset generator needs. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** A shuffled copy of `items` (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** One value chosen by relative weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** A string of `length` decimal digits (leading zeros allowed). */
  digits(length: number): string;
  /**
   * An independent stream derived from this one's seed and a label. Each export's generator forks its
   * own stream so that adding a field to one export does not shift every value of the others.
   */
  fork(label: string): Random;
}

/** Hashes a string or number to a 32-bit seed (FNV-1a), so that seeds may be readable labels. */
export function hashSeed(seed: number | string): number {
  const text = String(seed);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Creates a mulberry32 generator from a numeric or textual seed. */
export function createRandom(seed: number | string): Random {
  const base = hashSeed(seed);
  let state = base;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const random: Random = {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('random.pick: empty list');
      return items[int(0, items.length - 1)] as T;
    },
    chance: (p) => next() < p,
    shuffle<T>(items: readonly T[]): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(0, i);
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
    weighted<T>(entries: readonly (readonly [T, number])[]): T {
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let roll = next() * total;
      for (const [value, weight] of entries) {
        roll -= weight;
        if (roll < 0) return value;
      }
      const last = entries[entries.length - 1];
      if (!last) throw new Error('random.weighted: empty list');
      return last[0];
    },
    digits(length: number): string {
      let out = '';
      for (let i = 0; i < length; i++) out += String(int(0, 9));
      return out;
    },
    fork: (label) => createRandom(`${base}/${label}`),
  };
  return random;
}
