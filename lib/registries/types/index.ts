/**
 * The registry types: one module each, listed here in the order of the "Registry type" select.
 * Adding a type is one module and one line below (and its tests). Client-safe.
 */
import { acr } from "./acr";
import { artifactory } from "./artifactory";
import { custom } from "./custom";
import type { RegistryTypeDefinition } from "./definition";
import { digitalocean } from "./digitalocean";
import { dockerhub } from "./dockerhub";
import { ecr } from "./ecr";
import { gar } from "./gar";
import { gcr } from "./gcr";
import { ghcr } from "./ghcr";
import { gitlab } from "./gitlab";
import { harbor } from "./harbor";
import { ocir } from "./ocir";
import { publicRegistry } from "./public";
import { quay } from "./quay";

const MODULES = [ghcr, dockerhub, ecr, acr, gcr, gar, quay, gitlab, harbor, artifactory, digitalocean, ocir, custom, publicRegistry] as const;

export type RegistryTypeKey = (typeof MODULES)[number]["key"];
export type RegistryType = RegistryTypeDefinition<RegistryTypeKey>;

export const REGISTRY_TYPES: readonly RegistryType[] = MODULES;
export const REGISTRY_TYPE_KEYS = MODULES.map((type) => type.key) as [RegistryTypeKey, ...RegistryTypeKey[]];

const BY_KEY = new Map<string, RegistryType>(REGISTRY_TYPES.map((type) => [type.key, type]));

export function isRegistryTypeKey(value: unknown): value is RegistryTypeKey {
  return typeof value === "string" && BY_KEY.has(value);
}

export function getRegistryType(key: RegistryTypeKey): RegistryType;
export function getRegistryType(key: string): RegistryType | undefined;
export function getRegistryType(key: string): RegistryType | undefined {
  return BY_KEY.get(key);
}

/** What a page needs to name and picture a type (the list's filter and rows). */
export interface RegistryTypeSummary {
  key: RegistryTypeKey;
  label: string;
  icon: string;
}

export function registryTypeSummaries(): RegistryTypeSummary[] {
  return REGISTRY_TYPES.map(({ key, label, icon }) => ({ key, label, icon }));
}

/** The `auths` key of `.dockerconfigjson` for a registry bound to `url` (`host[:port][/prefix]`). */
export function dockerConfigKeyOf(type: RegistryTypeKey, url: string): string {
  return getRegistryType(type).dockerConfigKey?.(url) ?? url;
}

export * from "./definition";
export * from "./fields";
