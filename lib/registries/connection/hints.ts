/**
 * What Test Connection says about a provider, read from the registry type's own module: the
 * hints appended to failure messages, the warnings about hosts, secrets and usernames that do
 * not follow the provider's conventions, and which token realms a hosted service may use.
 */
import { getRegistryType, type ProviderHints, type RegistryType } from "@/lib/registries/types";
import { isDockerHubHost } from "./target";

/** The provider hints of a type (an unknown type gets those of a custom registry). */
export function hintsOf(type: string): ProviderHints {
  return (getRegistryType(type) ?? getRegistryType("custom")).hints;
}

/** Whether `hostname` is on the type's hosts; a type without a host pattern takes any host. */
function onProviderHost(type: RegistryType, hostname: string): boolean {
  return !type.hostPattern.regex || type.hostPattern.regex.test(hostname);
}

/** A warning when the host does not look like the type's usual host (undefined when it does). */
export function hostWarning(typeKey: string, hostname: string): string | undefined {
  const type = getRegistryType(typeKey);
  if (!type?.hostPattern.hint || onProviderHost(type, hostname)) return undefined;
  return `${hostname} does not look like a ${type.label} host. ${type.hostPattern.hint}`;
}

/**
 * Why a Bearer realm is refused (undefined when it is accepted). SPEC section 7: for a registry on
 * a provider's own hosted service (its `hostPattern` regex matches: docker.io, ghcr.io, quay.io,
 * registry.gitlab.com, `*.azurecr.io`, …) the realm must be one of the provider's known realm
 * hosts, or the credentials are not sent at all; self-hosted registries (custom, Harbor,
 * Artifactory, self-managed GitLab and Quay: no regex, or a host it does not match) often keep
 * their token service on another host and accept any realm the outbound policy allows.
 */
export function realmRefusal(typeKey: string, registryHost: string, realmHost: string): string | undefined {
  const type = getRegistryType(typeKey);
  if (!type?.hints.realmHosts || !type.hostPattern.regex?.test(registryHost)) return undefined;
  const expected = type.hints.realmHosts(isDockerHubHost(registryHost) ? "docker.io" : registryHost);
  if (expected.length === 0 || expected.includes(realmHost.toLowerCase())) return undefined;
  return `The registry's token service is ${realmHost}, not ${expected.join(" or ")} where ${type.label} issues tokens, so the credentials were not sent there`;
}

/** A warning when a secret lacks the provider's usual prefix. */
export function secretPrefixWarning(type: string, secret: string | undefined): string | undefined {
  const hints = hintsOf(type);
  if (!secret || !hints.secretPrefixes) return undefined;
  return hints.secretPrefixes.some((prefix) => secret.startsWith(prefix)) ? undefined : hints.secretPrefixHint;
}

/** A warning for a username that does not follow the provider's conventions. */
export function usernameWarning(type: string, username: string | undefined): string | undefined {
  return username ? hintsOf(type).usernameWarning?.(username) : undefined;
}
