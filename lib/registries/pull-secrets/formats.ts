/**
 * The pull-secret formats, built from one list of sign-ins. Pure functions: they see secrets
 * (that is their job) and must only ever be called to build an answer of the pull-secret
 * operation.
 *
 * - `dockerconfigjson`: `{"auths": {KEY: {username, password, auth}}}`, `auth` being standard
 *   base64 of `username:password` with padding; what Docker, containers/image (skopeo, podman),
 *   the kubelet and GitLab CI's `DOCKER_AUTH_CONFIG` read.
 * - `kubernetes`: a `Secret` of type `kubernetes.io/dockerconfigjson` as YAML text, the config in
 *   `data` as base64 (so no value can break the YAML).
 * - `docker-login`: one `printf '%s' '…' | docker login '…' --username '…' --password-stdin` line
 *   per registry; every value single-quoted, so the shell takes it literally (quotes, `$`,
 *   backslashes and newlines included) and the password never appears in the process list.
 * - `secret-data`: `{".dockerconfigjson": "<the JSON as a string>"}`, what an External Secrets
 *   `Webhook` generator maps key by key into a Secret.
 */
import { DEFAULT_NAMESPACE, DEFAULT_SECRET_NAME, type PullSecretFormat } from "./request";

/** One registry's credentials as a client signs in with them. */
export interface SignInEntry {
  /** The `auths` key: `host[:port][/prefix]`, Docker Hub as `https://index.docker.io/v1/`. */
  key: string;
  /** What `docker login` takes: `host[:port][/prefix]` (`docker.io` for Docker Hub). */
  loginServer: string;
  username: string;
  password: string;
}

export interface DockerConfigEntry {
  username: string;
  password: string;
  auth: string;
}

export interface DockerConfigJson {
  auths: Record<string, DockerConfigEntry>;
}

export function dockerConfigJson(entries: readonly SignInEntry[]): DockerConfigJson {
  const auths: Record<string, DockerConfigEntry> = {};
  for (const e of entries) auths[e.key] = { username: e.username, password: e.password, auth: Buffer.from(`${e.username}:${e.password}`, "utf8").toString("base64") };
  return { auths };
}

/** `value` as one single-quoted shell word: `'` becomes `'\''`; nothing else is special inside. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function dockerLoginLines(entries: readonly SignInEntry[]): string {
  return entries
    .map((e) => `printf '%s' ${shellQuote(e.password)} | docker login ${shellQuote(e.loginServer)} --username ${shellQuote(e.username)} --password-stdin\n`)
    .join("");
}

export function kubernetesSecretYaml(config: DockerConfigJson, options: { name?: string; namespace?: string } = {}): string {
  // Name and namespace are checked DNS-1123 names and the data is base64: all plain YAML scalars.
  const data = Buffer.from(JSON.stringify(config), "utf8").toString("base64");
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `  name: ${options.name ?? DEFAULT_SECRET_NAME}`,
    `  namespace: ${options.namespace ?? DEFAULT_NAMESPACE}`,
    "  labels:",
    "    app.kubernetes.io/managed-by: berth",
    "type: kubernetes.io/dockerconfigjson",
    "data:",
    `  .dockerconfigjson: ${data}`,
    "",
  ].join("\n");
}

export function secretData(config: DockerConfigJson): { ".dockerconfigjson": string } {
  return { ".dockerconfigjson": JSON.stringify(config) };
}

export type PullSecretContent = DockerConfigJson | { ".dockerconfigjson": string } | string;

/** The answer's `content` in the requested format. */
export function formatPullSecret(format: PullSecretFormat, entries: readonly SignInEntry[], options: { name?: string; namespace?: string } = {}): PullSecretContent {
  switch (format) {
    case "dockerconfigjson":
      return dockerConfigJson(entries);
    case "kubernetes":
      return kubernetesSecretYaml(dockerConfigJson(entries), options);
    case "docker-login":
      return dockerLoginLines(entries);
    case "secret-data":
      return secretData(dockerConfigJson(entries));
  }
}
