/**
 * The API simulators, for tests, benchmarks and `arkgraph simulate` / `demo`: the CyberArk simulator (Identity +
 * Privilege Cloud, ./cyberark) and the Microsoft Graph simulator (authority + Graph, ./graph), with the fault
 * injection and request counters they share (./shared). See README.md for what lives where.
 */

export { DEFAULT_APP_SCOPES } from './cyberark/identity/oauth.js';
export { IDENTITY_WRITE_ENDPOINTS, WRITE_REFUSED } from './cyberark/identity/server.js';
export { PAS_ERRORS } from './cyberark/pcloud/errors.js';
export { safeUrlId } from './cyberark/pcloud/objects.js';
export type { Simulator, SimulatorOptions } from './cyberark/simulator.js';
export { startSimulator } from './cyberark/simulator.js';
export { DEFAULT_APP_ROLES, GRAPH_APP_ID } from './graph/authority.js';
export { cloudSid, USER_DEFAULT_PROPERTIES } from './graph/resources.js';
export type { GraphSimulator, GraphSimulatorOptions } from './graph/simulator.js';
export { startGraphSimulator } from './graph/simulator.js';

export { RequestCounters } from './shared/counters.js';
export type {
  FaultEffect,
  FaultKind,
  FaultRule,
  FaultRuleStatus,
  Latency,
  RetryAfter,
} from './shared/fault-rules.js';
/**
 * The Graph simulator's name for the one fault controller: it accepts fractional `Retry-After` seconds, as Microsoft
 * Graph sends them ("2.128" in the Graph throttling docs).
 */
export { FaultController, FaultController as GraphFaultController } from './shared/fault-rules.js';
export type { FaultMatch } from './shared/route-match.js';
export { decodeJwtPayload } from './shared/tokens.js';
