/** The `format` stage: cheap checks of the input before any network call. Pure. */
import { X509Certificate } from "node:crypto";
import { hostWarning, secretPrefixWarning, usernameWarning } from "./providers";
import { parseImageReference, parseRegistryHost, type ImageReference, type RegistryTarget } from "./target";
import { REGISTRY_TYPES, type ConnectionInput, type RegistryType, type TestWarning } from "./types";

export interface Credentials {
  username: string;
  password: string;
}

export interface PreparedInput {
  type: RegistryType;
  target: RegistryTarget;
  plainHttp: boolean;
  credentials?: Credentials;
  image?: ImageReference & { text: string };
  caPem?: string;
  insecureSkipVerify: boolean;
  warnings: TestWarning[];
}

export type FormatCheck =
  | { ok: true; value: PreparedInput }
  | { ok: false; path: string; message: string; unsupported?: boolean; warnings: TestWarning[] };

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const CONTROL = /[\u0000-\u001f\u007f]/;

function isRegistryType(type: string): type is RegistryType {
  return (REGISTRY_TYPES as readonly string[]).includes(type);
}

/** Parses every certificate of a PEM bundle; undefined when none or one is broken. */
export function parseCaBundle(pem: string): string | undefined {
  const blocks = pem.match(PEM_BLOCK);
  if (!blocks) return undefined;
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

function checkCredentials(type: RegistryType, username: string, password: string): Refusal | undefined {
  if (!username && !password) return { path: "password", message: "Enter the username and password or token (or choose the type Public for an anonymous registry)." };
  if (!username) return { path: "username", message: "Enter the username that goes with the password or token." };
  if (!password) return { path: "password", message: "Enter the password or token." };
  if (username.includes(":")) return { path: "username", message: "A username cannot contain a colon (:)." };
  if (CONTROL.test(username)) return { path: "username", message: "The username contains a line break or control character." };
  if (CONTROL.test(password) && !(type === "gcr" || type === "gar")) {
    return { path: "password", message: "The password or token contains a line break or control character; paste it again without it." };
  }
  if (username === "_json_key" && !isServiceAccountKey(password)) {
    return { path: "password", message: 'The service account key must be the JSON key file with "type": "service_account", client_email and private_key.' };
  }
  return undefined;
}

function credentialWarnings(type: RegistryType, credentials: Credentials): TestWarning[] {
  const warnings: TestWarning[] = [];
  if (credentials.password.trim() !== credentials.password) {
    warnings.push({ path: "password", message: "The password or token starts or ends with spaces; registries rarely accept that." });
  }
  const prefix = secretPrefixWarning(type, credentials.password);
  if (prefix) warnings.push({ path: "password", message: prefix });
  const user = usernameWarning(type, credentials.username);
  if (user) warnings.push({ path: "username", message: user });
  return warnings;
}

function transportWarnings(input: ConnectionInput, hasCredentials: boolean): TestWarning[] {
  const warnings: TestWarning[] = [];
  if (input.plainHttp) {
    warnings.push({ path: "url", message: "Plain HTTP: the registry traffic is not encrypted." + (hasCredentials ? " Credentials are sent in the clear." : "") });
    if (input.insecureSkipVerify) warnings.push({ path: "insecureSkipVerify", message: "Skip TLS verification has no effect with plain HTTP." });
  } else if (input.insecureSkipVerify) {
    warnings.push({ path: "insecureSkipVerify", message: "TLS verification is skipped: anyone on the path could read the credentials. Prefer adding the CA certificate." });
  }
  return warnings;
}

function refuse(path: string, message: string, warnings: TestWarning[] = []): FormatCheck {
  return { ok: false, path, message, warnings };
}

/** Checks and prepares the input; the result says which field is wrong. */
export function checkFormat(input: ConnectionInput): FormatCheck {
  if (!isRegistryType(input.type)) return refuse("type", `Unknown registry type "${input.type}".`);
  const type = input.type;
  if (type === "ecr") {
    return {
      ok: false,
      unsupported: true,
      path: "type",
      message: "Testing Amazon ECR credentials is not supported yet (it needs the GetAuthorizationToken exchange); they were not checked.",
      warnings: [],
    };
  }
  const target = parseRegistryHost(input.host ?? "", input.plainHttp);
  if (!target.ok) return refuse("url", target.message);
  const warnings: TestWarning[] = [];
  const hostNote = hostWarning(type, target.value.hostname);
  if (hostNote) warnings.push({ path: "url", message: hostNote });

  const username = input.username ?? "";
  const password = input.password ?? "";
  let credentials: Credentials | undefined;
  if (type === "public") {
    if (username || password) warnings.push({ path: "credentials", message: "A public registry is tested without credentials; the ones given were not used." });
  } else {
    const refusal = checkCredentials(type, username, password);
    if (refusal) return refuse(refusal.path, refusal.message, warnings);
    credentials = { username, password };
    warnings.push(...credentialWarnings(type, credentials));
  }
  warnings.push(...transportWarnings(input, credentials !== undefined));

  let caPem: string | undefined;
  if (input.caCertificate?.trim() && !input.plainHttp) {
    caPem = parseCaBundle(input.caCertificate);
    if (!caPem) return refuse("caCertificate", "The CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE----- …).", warnings);
  }

  let image: PreparedInput["image"];
  if (input.image?.trim()) {
    const parsed = parseImageReference(input.image, target.value);
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
