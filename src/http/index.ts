/** The shared HTTP client layer: one import for extractors. */

export { registerSecret, scrubSecrets } from '../secrets.js';
export {
  type ApiErrorInfo,
  type ApiErrorParser,
  defaultApiErrorParser,
  parseCyberArkError,
  parseGraphError,
  parseOAuthError,
  pcloudRetryableBody,
} from './api-errors.js';
export {
  type BearerClientCredentialsOptions,
  bearerClientCredentials,
  type IdentityPlatformTokenOptions,
  identityPlatformToken,
  type PasSessionOptions,
  pasSession,
  renewalTime,
  tokenResponseSchema,
} from './auth.js';
export { defaultDispatcher, HttpClient } from './client.js';
export {
  formatPath,
  isSourceError,
  SourceError,
  type SourceErrorInit,
  type SourceErrorKind,
  validationError,
} from './errors.js';
export { nameField, shortText, textField } from './fields.js';
export {
  dotNetDate,
  type IdentityEnvelope,
  identityEnvelope,
  parseDotNetDate,
  type RedrockResult,
  redrockResult,
  unwrapIdentity,
} from './identity.js';
export { parseRetryAfter } from './response.js';
export { TaskGroup } from './tasks.js';
export type {
  AuthClient,
  AuthProvider,
  HttpClientOptions,
  HttpRequest,
  Query,
  RequestEvent,
  TokenClient,
} from './types.js';
export { isLoopbackHost } from './url.js';
