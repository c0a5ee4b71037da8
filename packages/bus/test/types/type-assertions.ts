// Type-level assertions for the `*.types.ts` files: checked by `npm run typecheck`, never run.
// An inference that regresses turns an `Expect<Equal<…>>` or an `@ts-expect-error` line into a
// type error, and CI's type-check fails.

/** True when A and B are the same type (not merely assignable either way). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when given `true`. */
export type Expect<T extends true> = T;
