import { type ProblemError, problem, problemType } from '@switchyard/host';

/** The billing module's codes, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    BILLING_ACCOUNT_NOT_FOUND: '@switchyard/milkround';
    BILLING_CREDIT_NOT_FOUND: '@switchyard/milkround';
    BILLING_INVOICE_NOT_FOUND: '@switchyard/milkround';
  }
}

/** The kinds of problem the billing routes answer with. */
export const billingProblems = {
  invoiceNotFound: problemType('BILLING_INVOICE_NOT_FOUND', 404),
  accountNotFound: problemType('BILLING_ACCOUNT_NOT_FOUND', 404),
  creditNotFound: problemType('BILLING_CREDIT_NOT_FOUND', 404),
} as const;

/** Nothing was billed to the customer in the month. */
export function noInvoice(customerId: string, period: string): ProblemError {
  return problem(
    billingProblems.invoiceNotFound,
    'No invoice',
    `Nothing was billed to customer ${customerId} in ${period}: no charges, refunds or credits; check the customer id and the month`,
  );
}

/** Nothing was ever billed or credited to the customer. */
export function noAccount(customerId: string): ProblemError {
  return problem(
    billingProblems.accountNotFound,
    'No account',
    `Nothing was ever billed or credited to customer ${customerId}; check the customer id`,
  );
}

/** No deposit was credited, nor failed to be, under the return id (or not yet: it shows a moment after). */
export function noCredit(creditId: string): ProblemError {
  return problem(
    billingProblems.creditNotFound,
    'No credit',
    `No deposit credit is known for return ${creditId}; check the returnId answered by POST /returns/bottles, or ask again in a moment if the return was recorded just now`,
  );
}
