/**
 * Decides, from the environment alone, whether the integration tests for one service run, skip or fail.
 *
 * Outside CI a developer without the service set up gets a skip with a one-line reason; in CI
 * (CI=true) a missing setting is a failure, because a green run must mean the tests really ran.
 */
export type ServiceRequirement =
  | { readonly kind: 'run'; readonly url: string }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

/** The environment variables this decision reads, passed in so the rule can be tested. */
export interface TestEnvironment {
  readonly [name: string]: string | undefined;
}

/** Whether the tests for `service`, configured by the variable `variable`, run, skip or fail. */
export function requirementFor(service: string, variable: string, env: TestEnvironment): ServiceRequirement {
  const url = env[variable]?.trim();
  if (url) return { kind: 'run', url };
  if (isCi(env)) {
    return {
      kind: 'fail',
      reason: `${variable} is not set but CI=true: ${service} integration tests must run in CI. Set ${variable} (see README.md, "Running the tests").`,
    };
  }
  return {
    kind: 'skip',
    reason: `${service} integration tests skipped: ${variable} is not set (see README.md, "Running the tests")`,
  };
}

/** True when the CI variable says this is a CI run (any value other than empty, "0" or "false"). */
export function isCi(env: TestEnvironment): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}
