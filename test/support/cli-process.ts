/**
 * Runs the CLI as its own process (`node --import tsx test/support/cli-process.ts <args>`), for tests that need what
 * a user sees on stderr, logs included: the in-process main() writes its logs to the test runner's own stderr.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
