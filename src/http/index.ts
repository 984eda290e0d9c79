/** The shared HTTP client layer: one import for extractors. */
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
  type AuthProvider,
  type BearerClientCredentialsOptions,
  bearerClientCredentials,
  type IdentityPlatformTokenOptions,
  identityPlatformToken,
  type PasSessionOptions,
  pasSession,
  renewalTime,
  tokenResponseSchema,
} from './auth.js';
export {
  defaultDispatcher,
  HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  parseRetryAfter,
  type Query,
  type RequestEvent,
} from './client.js';
export {
  formatPath,
  isSourceError,
  registerSecret,
  SourceError,
  type SourceErrorInit,
  type SourceErrorKind,
  scrubSecrets,
  validationError,
} from './errors.js';
export {
  dotNetDate,
  type IdentityEnvelope,
  identityEnvelope,
  parseDotNetDate,
  type RedrockResult,
  redrockResult,
  unwrapIdentity,
} from './identity.js';
export { TaskGroup } from './tasks.js';
export { isLoopbackHost } from './url.js';
