/** Test Connection: the public surface of `lib/registries/connection`. Server-only. */
import "server-only";

export { testConnection, DEFAULT_TIMEOUT_MS, MANIFEST_ACCEPT } from "./test-connection";
export { createOutboundPolicy, outboundPolicyFromEnv, classifyAddress, canonicalAddress, parseIpLiteral } from "./policy";
export type { OutboundPolicy, AddressClass, AddressClassification, AddressVerdict } from "./policy";
export { parseWwwAuthenticate, selectChallenge } from "./challenge";
export type { AuthChallenge, SelectedChallenge } from "./challenge";
export { hintsOf } from "./hints";
export { TEST_STATUSES, STAGE_NAMES } from "./types";
export type {
  ConnectionInput,
  LookupFunction,
  StageName,
  StageReport,
  TestConnectionOptions,
  TestDetails,
  TestResult,
  TestStatus,
} from "./types";
