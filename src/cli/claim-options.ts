/** The claim options of the CLI (`--lease`, `--token`), read by the application layer; bad values are usage errors (exit 2). */
import { parseClaimToken, parseLease } from '../app/claims.js';
import { InvalidInputError } from '../errors.js';
import { UsageError } from './usage.js';

function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.detail);
    throw error;
  }
}

/** The `--lease` value in milliseconds, or undefined when the option was not given. */
export function leaseOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : asUsage(() => parseLease(value, "option '--lease'"));
}

/** The `--token` value, or undefined when the option was not given. */
export function tokenOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : asUsage(() => parseClaimToken(value, "option '--token'"));
}
