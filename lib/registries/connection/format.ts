/** The `format` stage: cheap checks of the input before any network call. Pure. */
import { X509Certificate } from "node:crypto";
import type { FieldIssue } from "@/lib/errors";
import { getRegistryType } from "@/lib/registries/types";
// Google's fixed username: the password is then a service-account key file, which may span lines.
import { JSON_KEY_USER } from "@/lib/registries/types/google";
import { hostWarning, secretPrefixWarning, usernameWarning } from "./hints";
import { between } from "../text";
import { parseImageReference, parseRegistryHost, type ImageReference, type RegistryTarget } from "./target";
import type { ConnectionInput } from "./types";

export interface Credentials {
  username: string;
  password: string;
}

export interface PreparedInput {
  /** The registry type's key, for its provider hints. */
  type: string;
  target: RegistryTarget;
  plainHttp: boolean;
  credentials?: Credentials;
  image?: ImageReference & { text: string };
  caPem?: string;
  insecureSkipVerify: boolean;
  warnings: FieldIssue[];
}

export type FormatCheck =
  | { ok: true; value: PreparedInput }
  | { ok: false; path: string; message: string; unsupported?: boolean; warnings: FieldIssue[] };

const PEM_BEGIN = "-----BEGIN CERTIFICATE-----";
const PEM_END = "-----END CERTIFICATE-----";
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Parses every certificate of a PEM bundle; undefined when none or one is broken. */
export function parseCaBundle(pem: string): string | undefined {
  // indexOf, not a lazy `[\s\S]+?` between the lines: that rescans to the end from every BEGIN
  // line, quadratic on a bundle of BEGIN lines without END (issue 16).
  const blocks: string[] = [];
  for (let block = between(pem, PEM_BEGIN, PEM_END); block; block = between(pem, PEM_BEGIN, PEM_END, block.next)) {
    if (block.body.length > 0) blocks.push(`${PEM_BEGIN}${block.body}${PEM_END}`);
  }
  if (blocks.length === 0) return undefined;
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch {
    return undefined;
  }
  return blocks.join("\n");
}

function isServiceAccountKey(secret: string): boolean {
  try {
    const key = JSON.parse(secret) as Record<string, unknown>;
    return key.type === "service_account" && typeof key.client_email === "string" && typeof key.private_key === "string";
  } catch {
    return false;
  }
}

type Refusal = { path: string; message: string };

function checkCredentials(username: string, password: string): Refusal | undefined {
  if (!username && !password) return { path: "password", message: "Enter the username and password or token (or choose the type Public for an anonymous registry)." };
  if (!username) return { path: "username", message: "Enter the username that goes with the password or token." };
  if (!password) return { path: "password", message: "Enter the password or token." };
  if (username.includes(":")) return { path: "username", message: "A username cannot contain a colon (:)." };
  if (CONTROL.test(username)) return { path: "username", message: "The username contains a line break or control character." };
  if (CONTROL.test(password) && username !== JSON_KEY_USER) {
    return { path: "password", message: "The password or token contains a line break or control character; paste it again without it." };
  }
  if (username === JSON_KEY_USER && !isServiceAccountKey(password)) {
    return { path: "password", message: 'The service account key must be the JSON key file with "type": "service_account", client_email and private_key.' };
  }
  return undefined;
}

function credentialWarnings(type: string, credentials: Credentials, conventions: boolean): FieldIssue[] {
  const warnings: FieldIssue[] = [];
  if (credentials.password.trim() !== credentials.password) {
    warnings.push({ path: "password", message: "The password or token starts or ends with spaces; registries rarely accept that." });
  }
  if (!conventions) return warnings;
  const prefix = secretPrefixWarning(type, credentials.password);
  if (prefix) warnings.push({ path: "password", message: prefix });
  const user = usernameWarning(type, credentials.username);
  if (user) warnings.push({ path: "username", message: user });
  return warnings;
}

function transportWarnings(input: ConnectionInput, hasCredentials: boolean): FieldIssue[] {
  const warnings: FieldIssue[] = [];
  if (input.plainHttp) {
    warnings.push({ path: "url", message: "Plain HTTP: the registry traffic is not encrypted." + (hasCredentials ? " Credentials are sent in the clear." : "") });
    if (input.insecureSkipVerify) warnings.push({ path: "insecureSkipVerify", message: "Skip TLS verification has no effect with plain HTTP." });
  } else if (input.insecureSkipVerify) {
    warnings.push({ path: "insecureSkipVerify", message: "TLS verification is skipped: anyone on the path could read the credentials. Prefer adding the CA certificate." });
  }
  return warnings;
}

function refuse(path: string, message: string, warnings: FieldIssue[] = []): FormatCheck {
  return { ok: false, path, message, warnings };
}

/**
 * Checks and prepares the input; the result says which field is wrong. A type whose credentials
 * are exchanged first (ECR) needs the server's exchange step (`exchange`): its credentials are
 * then the exchange's business and the input carries none.
 */
export function checkFormat(input: ConnectionInput, options: { exchange?: boolean } = {}): FormatCheck {
  const definition = getRegistryType(input.type);
  if (!definition) return refuse("type", `Unknown registry type "${input.type}".`);
  const type = definition.key;
  // How the type signs in does not depend on the values: basic, anonymous or exchanged first.
  const signIn = definition.signIn({}).kind;
  if (signIn === "exchange" && !options.exchange) {
    return {
      ok: false,
      unsupported: true,
      path: "type",
      message: `Testing ${definition.label} credentials needs the server's exchange step (they are exchanged for a registry password first); they were not checked.`,
      warnings: [],
    };
  }
  const target = parseRegistryHost(input.host ?? "", input.plainHttp);
  if (!target.ok) return refuse("url", target.message);
  // A caller that validated the input against the type (the API) has its convention warnings already.
  const conventions = !input.conventionsChecked;
  const warnings: FieldIssue[] = [];
  const hostNote = conventions ? hostWarning(type, target.value.hostname) : undefined;
  if (hostNote) warnings.push({ path: "url", message: hostNote });

  const username = input.username ?? "";
  const password = input.password ?? "";
  let credentials: Credentials | undefined;
  if (signIn === "anonymous") {
    if (username || password) warnings.push({ path: "credentials", message: "A public registry is tested without credentials; the ones given were not used." });
  } else if (signIn === "exchange") {
    // The exchange step brings the registry password (and the host it is valid for).
  } else {
    const refusal = checkCredentials(username, password);
    if (refusal) return refuse(refusal.path, refusal.message, warnings);
    credentials = { username, password };
    warnings.push(...credentialWarnings(type, credentials, conventions));
  }
  if (conventions) warnings.push(...transportWarnings(input, credentials !== undefined));

  let caPem: string | undefined;
  if (input.caCertificate?.trim() && !input.plainHttp) {
    caPem = parseCaBundle(input.caCertificate);
    if (!caPem) return refuse("caCertificate", "The CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE----- …).", warnings);
  }

  let image: PreparedInput["image"];
  if (input.image?.trim()) {
    const parsed = parseImageReference(input.image, target.value, definition.learnsHost?.matches);
    if (!parsed.ok) return refuse("image", parsed.message, warnings);
    image = { ...parsed.value, text: input.image.trim() };
  }

  return {
    ok: true,
    value: {
      type,
      target: target.value,
      plainHttp: input.plainHttp,
      credentials,
      image,
      caPem,
      insecureSkipVerify: Boolean(input.insecureSkipVerify) && !input.plainHttp,
      warnings,
    },
  };
}
