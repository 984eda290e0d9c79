/**
 * The CLI's exit codes and which errors map to each: 0 success, 2 usage or validation error, 3 a source failed,
 * 4 store error, 1 anything else. docs/cli.md documents them; scripts and CI jobs branch on them.
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { UnknownPermissionError } from '../graph/permissions.js';
import { isSourceError } from '../http/index.js';
import { AmbiguousNameError, NotFoundError } from '../queries/types.js';
import { isStoreFailure } from '../store/errors.js';
import { SyncFailedError } from '../sync/run.js';
import { TenantValidationError } from '../tenant/format/index.js';

export const EXIT = { ok: 0, usage: 2, source: 3, store: 4 } as const;

/** A command line that cannot be carried out as given (exit code 2). */
export class UsageError extends Error {}

export function exitCodeFor(error: unknown): number {
  if (
    error instanceof CommanderError ||
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof TenantValidationError ||
    error instanceof UnknownPermissionError ||
    error instanceof NotFoundError ||
    error instanceof AmbiguousNameError ||
    error instanceof RangeError
  ) {
    return EXIT.usage;
  }
  if (error instanceof SyncFailedError || isSourceError(error)) return EXIT.source;
  if (isStoreFailure(error)) return EXIT.store;
  return 1;
}
