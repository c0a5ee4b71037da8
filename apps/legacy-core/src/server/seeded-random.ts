/**
 * A small seeded generator (mulberry32): the same seed gives the same numbers on every machine, which
 * is what makes a faulty run reproducible. Not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A lognormal draw around `medianMs`: mostly near it, with a long slow tail that `sigma` widens. */
export function lognormalMs(random: () => number, medianMs: number, sigma: number, maxMs: number): number {
  if (medianMs === 0) return 0;
  // Box-Muller: two uniforms give one standard normal; 1 - u keeps the logarithm finite.
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.min(maxMs, medianMs * Math.exp(sigma * normal));
}
