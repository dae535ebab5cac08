/**
 * What Test Connection says about a provider, read from the registry type's own module: the
 * hints appended to failure messages and the warnings about hosts, token realms, secrets and
 * usernames that do not follow the provider's conventions.
 */
import { getRegistryType, type ProviderHints, type RegistryType } from "@/lib/registries/types";
import { isDockerHubHost } from "./target";

/** The provider hints of a type (an unknown type gets those of a custom registry). */
export function hintsOf(type: string): ProviderHints {
  return (getRegistryType(type) ?? getRegistryType("custom")).hints;
}

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
 * A warning when a Bearer realm points to a host the provider does not use. Only for a registry
 * on the provider's own host: a self-hosted registry's realm may live anywhere the policy allows.
 */
export function realmWarning(typeKey: string, registryHost: string, realmHost: string): string | undefined {
  const type = getRegistryType(typeKey);
  if (!type?.hints.realmHosts || !onProviderHost(type, registryHost)) return undefined;
  const expected = type.hints.realmHosts(isDockerHubHost(registryHost) ? "docker.io" : registryHost);
  if (expected.length === 0 || expected.includes(realmHost)) return undefined;
  return `The registry's token service is ${realmHost}, not ${expected.join(" or ")} as usual for ${type.label}; the credentials were sent there.`;
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
