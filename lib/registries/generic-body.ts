/**
 * The seed's generic create body `{name, url, username?, password?, token?,
 * isActive?}` (seed 000), mapped to a typed body by host (SPEC section 5).
 * The result is not validated here: it goes through `createRegistrySchema`
 * like any typed body, so a mapped type reports its own format errors (a GCR
 * key that is not JSON fails at `credentials.serviceAccountKey`) instead of
 * silently becoming `custom`. Client-safe.
 */
import {
  createRegistrySchema,
  findMissingCredentials,
  getRegistryType,
  isRecord,
  parseRegistryInput,
  type RegistryCredentials,
  type RegistryInput,
  type RegistryParseResult,
  type RegistryTypeKey,
} from "./schemas";
import { normalizeRegistryUrl, type NormalizedRegistryUrl } from "./url";

interface GenericSecrets {
  username?: string;
  password?: string;
  token?: string;
}

interface MappingRule {
  type: RegistryTypeKey;
  /** GCR and GAR keys are sent as the password of the user `_json_key`. */
  jsonKeyUser?: boolean;
  credentials: (url: NormalizedRegistryUrl, secrets: GenericSecrets) => RegistryCredentials;
}

/** The `url` field keeps a path prefix; types without one only map a bare host. */
const prefixUrl = (url: NormalizedRegistryUrl, host: string) => (url.pathPrefix ? { url: `${host}/${url.pathPrefix}` } : {});

/** SPEC section 5, in order; hosts are matched with each type's catalogue `hostPattern`. */
const RULES: readonly MappingRule[] = [
  {
    type: "ghcr",
    credentials: (url, s) => ({ username: s.username, token: s.token ?? s.password, ...prefixUrl(url, url.host) }),
  },
  {
    type: "dockerhub",
    credentials: (url, s) => ({ username: s.username, password: s.password ?? s.token, ...prefixUrl(url, "docker.io") }),
  },
  {
    type: "acr",
    credentials: (url, s) => ({ loginServer: url.host, username: s.username, password: s.password ?? s.token }),
  },
  {
    type: "gcr",
    jsonKeyUser: true,
    credentials: (url, s) => ({ hostname: url.host, serviceAccountKey: s.password ?? s.token }),
  },
  {
    type: "gar",
    jsonKeyUser: true,
    credentials: (url, s) => ({
      region: url.host.replace(/-docker\.pkg\.dev$/, ""),
      serviceAccountKey: s.password ?? s.token,
    }),
  },
  {
    type: "quay",
    credentials: (url, s) => ({ username: s.username, token: s.token ?? s.password, ...prefixUrl(url, url.host) }),
  },
  {
    type: "gitlab",
    credentials: (url, s) => ({ username: s.username, token: s.token ?? s.password, ...prefixUrl(url, url.host) }),
  },
];

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
 * fields, a GCR/GAR user other than `_json_key`) becomes `custom`. Other keys
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
  for (const rule of RULES) {
    const type = getRegistryType(rule.type);
    if (!type.hostPattern.regex?.test(url.host)) continue;
    if (url.pathPrefix && !type.fields.some((f) => f.name === "url")) return undefined;
    if (rule.jsonKeyUser && secrets.username !== "_json_key") return undefined;
    const credentials = withoutUndefined(rule.credentials(url, secrets));
    if (findMissingCredentials(rule.type, credentials).length > 0) return undefined;
    return { type: rule.type, credentials };
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
