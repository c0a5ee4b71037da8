/** One field that differs between the baseline and the candidate. */
export interface Difference {
  /** Where, e.g. `lines[2].amount`; empty for a whole value (a message missing on one side). */
  readonly path: string;
  readonly baseline: unknown;
  readonly candidate: unknown;
  readonly kind: 'changed' | 'missing-in-candidate' | 'missing-in-baseline';
  /** The message type URN the field belongs to, when the difference is in one message. */
  readonly messageType?: string;
}
