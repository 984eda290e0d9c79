/**
 * The Graph simulator uses the generic fault controller: it accepts fractional `Retry-After` seconds, as Microsoft
 * Graph sends them ("2.128", entra-ad.md §1.7). Kept as a named export for the Graph simulator's public API.
 */
export { FaultController as GraphFaultController } from '../faults.js';
