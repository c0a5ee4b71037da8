// Type tests of the error catalogue; see type-assertions.ts. Checked by tsc, never run.
import { type ErrorCode, SwitchyardError } from '@switchyard/bus';
import type { Equal, Expect } from './type-assertions.ts';

// A code the bus declares, and one another package adds by augmenting SwitchyardErrorCodes.
export const declared = new SwitchyardError('MESSAGE_REFUSED', 'refused');
export const fromPostgres = new SwitchyardError('NO_ROUTE', 'no queue is bound');

// @ts-expect-error a code no package declared is refused
export const undeclared = new SwitchyardError('NOT_A_DECLARED_CODE', 'nobody declared this');

// @ts-expect-error a code is not any string
export const anyString: ErrorCode = 'message_refused';

export type CodeIsTheUnion = Expect<Equal<SwitchyardError['code'], ErrorCode>>;
