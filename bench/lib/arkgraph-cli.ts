/** `arkgraph` from source (bin/arkgraph.js runs the compiled dist/, which may be stale): node --import tsx this. */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
