/**
 * The exchange steps of the types whose credentials are exchanged for a registry password
 * before use (`signIn` kind `exchange` in their module), keyed by type. Server-only.
 */
import "server-only";
import type { AuditActor } from "@/lib/audit";
import { env } from "@/lib/env";
import { Deadline } from "../connection/deadline";
import { outboundPolicyFromEnv } from "../connection/policy";
import { defaultLookup } from "../connection/transport";
import type { ExchangeStep } from "../connection/types";
import { getRegistryType, type RegistryCredentials, type RegistryTypeKey } from "../types";
import { getEcrAuthorizationToken, type EcrKeys, type ExchangeTransport } from "./aws-ecr";
import { exchangeForRegistry, type ExchangeRegistry } from "./token-cache";

export { exchangeForRegistry, dropRegistryToken, REUSE_MARGIN_MS } from "./token-cache";
export { getEcrAuthorizationToken, ecrEndpoint } from "./aws-ecr";

function ecrKeysOf(credentials: RegistryCredentials): EcrKeys {
  return {
    accessKeyId: credentials.accessKeyId ?? "",
    secretAccessKey: credentials.secretAccessKey ?? "",
    ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    region: credentials.region ?? "",
    ...(credentials.registryId ? { registryId: credentials.registryId } : {}),
  };
}

/** Server implementations of the exchanges, by type key; a test checks every exchanged type has one. */
export const EXCHANGES: Partial<Record<RegistryTypeKey, (credentials: RegistryCredentials, saved?: { registry: ExchangeRegistry; actor?: AuditActor }) => ExchangeStep>> = {
  ecr: (credentials, saved) => {
    const keys = ecrKeysOf(credentials);
    return saved
      ? (transport) => exchangeForRegistry(saved.registry, keys, transport, { actor: saved.actor })
      : (transport) => getEcrAuthorizationToken(keys, transport);
  },
};

/**
 * The exchange step for credentials of `type` (with their secrets), or undefined for a type that
 * signs in directly. With `saved`, the registry's shared cache is used (only for its saved keys).
 */
export function exchangeStepFor(
  type: RegistryTypeKey,
  credentials: RegistryCredentials,
  saved?: { registry: ExchangeRegistry; actor?: AuditActor },
): ExchangeStep | undefined {
  if (getRegistryType(type).signIn(credentials).kind !== "exchange") return undefined;
  const build = EXCHANGES[type];
  if (!build) throw new Error(`The registry type ${type} is exchanged first but has no exchange implementation`);
  return build(credentials, saved);
}

/**
 * The transport of an exchange outside Test Connection (pull secrets): the same outbound policy
 * (`OUTBOUND_ALLOW_CIDRS`), the system resolver, and the Test Connection time limit.
 */
export function exchangeTransportFromEnv(signal?: AbortSignal): ExchangeTransport {
  return { policy: outboundPolicyFromEnv(), lookup: defaultLookup, deadline: new Deadline(env().BERTH_TEST_TIMEOUT_MS, signal) };
}
