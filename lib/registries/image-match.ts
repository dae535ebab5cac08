/**
 * Which saved registries an image reference or a registry host belongs to. Pure functions over
 * the registries' bound URLs (`host[:port][/prefix]`); the services load the candidates.
 *
 * An image matches a registry when the hosts are the same (Docker Hub's `docker.io`,
 * `index.docker.io` and `registry-1.docker.io` are one registry; a port must be written the same
 * way, as Docker keys credentials by `host[:port]`) and the registry's path prefix is the image's
 * whole path or a leading part of it at a `/`. An ECR registry whose account is not known yet
 * (its URL the placeholder `dkr.ecr.REGION.amazonaws.com`) matches every account's host in its
 * region. The best match has the longest prefix; at equal prefixes a registry with credentials
 * wins over a `public` one, a registry at its own host over a placeholder, then the oldest.
 */
import { DOCKER_HUB_DOMAIN, type NormalizedImage } from "./connection/image-name";
import { isDockerHubHost, parseRegistryHost, registryHostKey } from "./connection/target";
import { getRegistryType } from "./types";

export interface MatchCandidate {
  id: string;
  type: string;
  url: string;
  plainHttp: boolean;
  createdAt: Date;
}

interface Located {
  /** `host[:port]` as images write it, Docker Hub as `docker.io`. */
  host: string;
  /** Lower-case path prefix, "" for none. */
  prefix: string;
  /** The URL is a placeholder standing for several hosts (ECR "any account in REGION"). */
  placeholder: boolean;
}

/** `host[:port]` of an image's domain or a typed host, Docker Hub's aliases as `docker.io`. */
export function canonicalRegistryHost(host: string): string {
  return isDockerHubHost(host) ? DOCKER_HUB_DOMAIN : host.toLowerCase();
}

function locate(candidate: MatchCandidate): Located | undefined {
  const placeholder = getRegistryType(candidate.type)?.learnsHost?.isPlaceholder(candidate.url) === true;
  const target = parseRegistryHost(candidate.url, candidate.plainHttp);
  if (!target.ok) return undefined;
  return { host: canonicalRegistryHost(registryHostKey(target.value)), prefix: target.value.pathPrefix.toLowerCase(), placeholder };
}

/** Whether a registry at `located` serves `host` (already canonical). */
function servesHost(candidate: MatchCandidate, located: Located, host: string): boolean {
  if (located.placeholder) return getRegistryType(candidate.type)?.learnsHost?.matches(host, candidate.url) === true;
  return located.host === host;
}

function prefixMatches(prefix: string, path: string): boolean {
  return prefix === "" || path === prefix || path.startsWith(`${prefix}/`);
}

function compare(a: { c: MatchCandidate; at: Located }, b: { c: MatchCandidate; at: Located }): number {
  return (
    b.at.prefix.length - a.at.prefix.length ||
    Number(a.c.type === "public") - Number(b.c.type === "public") ||
    Number(a.at.placeholder) - Number(b.at.placeholder) ||
    a.c.createdAt.getTime() - b.c.createdAt.getTime() ||
    a.c.id.localeCompare(b.c.id)
  );
}

/** The registries an image belongs to, best first (the first is what `resolve` answers). */
export function registriesForImage<C extends MatchCandidate>(image: NormalizedImage, candidates: readonly C[]): C[] {
  const host = canonicalRegistryHost(image.domain);
  return candidates
    .flatMap((c) => {
      const at = locate(c);
      return at && servesHost(c, at, host) && prefixMatches(at.prefix, image.path) ? [{ c, at }] : [];
    })
    .sort(compare)
    .map(({ c }) => c);
}

/** Every registry on a host (`ghcr.io`, `127.0.0.1:5000`), whatever its path prefix; longest prefix first. */
export function registriesOnHost<C extends MatchCandidate>(host: string, candidates: readonly C[]): C[] {
  const canonical = canonicalRegistryHost(host);
  return candidates
    .flatMap((c) => {
      const at = locate(c);
      return at && servesHost(c, at, canonical) ? [{ c, at }] : [];
    })
    .sort(compare)
    .map(({ c }) => c);
}
