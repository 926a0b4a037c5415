// Seeded randomness for the topic models and their evaluation: the same seed gives the same
// background sample (so the same labels train the same model) and the same evaluation draws.

/** mulberry32: a small seeded generator of floats in [0, 1); a text seed is hashed first. */
export function seededRandom(seed: number | string): () => number {
  let s = typeof seed === "number" ? seed >>> 0 : hashText(seed);
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit hash of a text (×31 polynomial), for seeding. */
export function hashText(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

/** The first `k` items of a Fisher–Yates shuffle of `items` by `random` (all of them with k = Infinity). */
export function sample<T>(items: readonly T[], k: number, random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}
