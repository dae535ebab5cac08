/**
 * The generic create body `{name, url, username?, password?, token?, isActive?}` (the shape of
 * the container-registry-config API), mapped to a typed body by host: a type module with a
 * `genericBody` rule claims the hosts of its `hostPattern`. The result is not validated here:
 * it goes through `createRegistrySchema` like any typed body, so a mapped type reports its own
 * format errors (a GCR key that is not JSON fails at `credentials.serviceAccountKey`) instead
 * of silently becoming `custom`. Client-safe.
 */
import {
  REGISTRY_TYPES,
  createRegistrySchema,
  findMissingCredentials,
  isRecord,
  parseRegistryInput,
  type GenericSecrets,
  type RegistryCredentials,
  type RegistryInput,
  type RegistryParseResult,
} from "./schemas";
import { normalizeRegistryUrl } from "./url";

/** The types the generic body maps to, with their rules, in the order of the type index. */
export const GENERIC_BODY_TYPES = REGISTRY_TYPES.flatMap((type) => (type.genericBody && type.hostPattern.regex ? [{ type, rule: type.genericBody, hosts: type.hostPattern.regex }] : []));

const GENERIC_KEYS = ["url", "username", "password", "token"] as const;

/**
 * A generic body has no `type` and no `credentials`, and has `url` (or, when the client forgot
 * the `url`, one of the generic body's credentials at the top level: it is then answered as a
 * generic body missing its `url`, not as a typed body missing its `type`).
 */
export function isGenericBody(body: unknown): body is Record<string, unknown> {
  return isRecord(body) && !("type" in body) && !("credentials" in body) && GENERIC_KEYS.some((key) => key in body);
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);

/**
 * Maps a generic body to a typed one. A host of the table whose body has the
 * type's required fields becomes that type; anything else (another host, a
 * port, plain http, a path prefix on a type without a URL field, missing
 * fields, a username other than the type's fixed one such as Google's `_json_key`) becomes `custom`. Other keys
 * are carried over so the strict schema still rejects unknown ones.
 */
export function mapGenericBody(body: Record<string, unknown>): Record<string, unknown> {
  const { url, username, password, token, ...rest } = body;
  const secrets: GenericSecrets = { username: text(username), password: text(password), token: text(token) };
  const typed = typeof url === "string" ? mapByHost(url, secrets) : undefined;
  if (typed) return { ...rest, ...typed };

  const given = Object.entries({ url, username, password, token }).filter(([, value]) => value !== undefined);
  return { ...rest, type: "custom", credentials: Object.fromEntries(given) };
}

function mapByHost(input: string, secrets: GenericSecrets) {
  const url = normalizeRegistryUrl(input);
  if (!url.ok || url.plainHttp || url.port !== undefined) return undefined;
  for (const { type, rule, hosts } of GENERIC_BODY_TYPES) {
    if (!hosts.test(url.host)) continue;
    if (url.pathPrefix && !type.fields.some((f) => f.name === "url")) return undefined;
    if (rule.fixedUser && secrets.username !== rule.fixedUser) return undefined;
    const credentials = withoutUndefined(rule.credentials(url, secrets));
    if (findMissingCredentials(type.key, credentials).length > 0) return undefined;
    return { type: type.key, credentials };
  }
  return undefined;
}

function withoutUndefined(credentials: RegistryCredentials): RegistryCredentials {
  return Object.fromEntries(Object.entries(credentials).filter(([, value]) => value !== undefined));
}

/** Parses a create body, typed or generic: what the POST route handlers call. */
export function parseCreateRegistryBody(body: unknown): RegistryParseResult<RegistryInput> {
  return parseRegistryInput(createRegistrySchema, isGenericBody(body) ? mapGenericBody(body) : body);
}
