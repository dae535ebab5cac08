/**
 * The copy-paste snippets of Settings › Integrations: pure functions of this Berth's URL, the
 * company's slug, its active registries' hosts and (for one page view, after the user created
 * one) a `registries:pull` token. Client-safe: no imports, nothing read from the server.
 *
 * Hosts are `host[:port]` as Berth stores them (Docker Hub as `docker.io`). A registry whose
 * host is not known yet (an ECR registry before its first exchange) has `host: null` and its
 * region: the kubelet can match it with a wildcard, a credential helper entry cannot.
 */

export interface IntegrationRegistry {
  name: string;
  /** `host[:port]`, Docker Hub as `docker.io`; null while the host is not known yet (ECR "any account"). */
  host: string | null;
  /** The path prefix, "" for none. */
  prefix: string;
  /** The region of an ECR registry whose account is not known yet. */
  ecrRegion?: string | null;
}

export interface SnippetInput {
  /** This Berth's origin, e.g. `https://berth.example.com` (no trailing slash). */
  url: string;
  /** The company's slug (or id): `BERTH_COMPANY`. */
  company: string;
  /** A token created on this page view; otherwise a placeholder is shown. */
  token?: string | null;
  registries: readonly IntegrationRegistry[];
}

export const TOKEN_PLACEHOLDER = "brt_REPLACE_WITH_A_REGISTRIES_PULL_TOKEN";
export const DOCKER_HUB = "docker.io";
export const HELPER_NAME = "docker-credential-berth";
export const PROVIDER_NAME = "berth-credential-provider";
export const HELPER_PATH = `/usr/local/bin/${HELPER_NAME}`;
export const PROVIDER_BIN_DIR = "/usr/local/lib/kubelet-credential-providers";
export const PROVIDER_CONFIG_PATH = "/etc/kubernetes/berth-credential-provider.yaml";
export const TOKEN_FILE = "/etc/berth/token";
const HELPER_CONFIG = '"${XDG_CONFIG_HOME:-$HOME/.config}/berth/credential-helper.json"';

const originOf = (url: string) => url.replace(/\/+$/, "");
const tokenOf = (input: Pick<SnippetInput, "token">) => input.token || TOKEN_PLACEHOLDER;
/** A string in single quotes for a POSIX shell. */
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Every distinct known host, sorted (the keys of `credHelpers`, the External Secrets `hosts`). */
export function distinctHosts(registries: readonly IntegrationRegistry[]): string[] {
  return [...new Set(registries.flatMap((r) => (r.host ? [r.host] : [])))].sort();
}

/**
 * Hosts the credential helper answers "not found" for: several registries on the host, all with
 * a path prefix (the helper is keyed by host alone; the kubelet provider and a .dockerconfigjson
 * key by path).
 */
export function ambiguousHosts(registries: readonly IntegrationRegistry[]): string[] {
  const byHost = new Map<string, IntegrationRegistry[]>();
  for (const r of registries) if (r.host) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r]);
  return [...byHost].filter(([, rs]) => rs.length > 1 && rs.every((r) => r.prefix !== "")).map(([host]) => host).sort();
}

/** Registries whose host is not known yet (no credential helper entry is possible). */
export function unknownHostRegistries(registries: readonly IntegrationRegistry[]): IntegrationRegistry[] {
  return registries.filter((r) => !r.host);
}

// ------------------------------------------------------------------ Docker, Podman, skopeo

export function helperInstallCommand(url: string): string {
  return `curl -fsSL ${originOf(url)}/downloads/${HELPER_NAME} -o ${HELPER_PATH} && chmod +x ${HELPER_PATH}`;
}

/** `{"credHelpers": {HOST: "berth", …}}` for `~/.docker/config.json` or `containers-auth.json`. */
export function credHelpersConfig(registries: readonly IntegrationRegistry[]): { credHelpers: Record<string, string> } {
  return { credHelpers: Object.fromEntries(distinctHosts(registries).map((h) => [h, "berth"])) };
}

export function credHelpersJson(registries: readonly IntegrationRegistry[]): string {
  return JSON.stringify(credHelpersConfig(registries), null, 2);
}

/** The helper's configuration as environment variables. */
export function helperEnvironment(input: Omit<SnippetInput, "registries">): string {
  return [`export BERTH_URL=${sh(originOf(input.url))}`, `export BERTH_TOKEN=${sh(tokenOf(input))}`, `export BERTH_COMPANY=${sh(input.company)}`].join("\n");
}

/** The helper's configuration file's content. */
export function helperConfigJson(input: Omit<SnippetInput, "registries">): string {
  return JSON.stringify({ url: originOf(input.url), token: tokenOf(input), company: input.company }, null, 2);
}

/** Writes the helper's configuration file, readable by its owner only (the helper refuses it otherwise). */
export function helperConfigFileCommand(input: Omit<SnippetInput, "registries">): string {
  return [
    `mkdir -p "\${XDG_CONFIG_HOME:-$HOME/.config}/berth"`,
    `(umask 077 && cat > ${HELPER_CONFIG} <<'EOF'`,
    helperConfigJson(input),
    "EOF",
    ")",
    `chmod 600 ${HELPER_CONFIG}`,
  ].join("\n");
}

// ------------------------------------------------------------------ GitLab CI

/** The `DOCKER_AUTH_CONFIG` CI/CD variable: the same `credHelpers`, on one line. */
export function gitlabDockerAuthConfig(registries: readonly IntegrationRegistry[]): string {
  return JSON.stringify(credHelpersConfig(registries));
}

/** The runner's environment (e.g. `environment` in config.toml or the service's unit): the helper reads these. */
export function gitlabRunnerVariables(input: Omit<SnippetInput, "registries">): string {
  return [`BERTH_URL=${originOf(input.url)}`, `BERTH_COMPANY=${input.company}`, `BERTH_TOKEN=${tokenOf(input)}`].join("\n");
}

// ------------------------------------------------------------------ Kubernetes kubelet

/**
 * The kubelet's `matchImages`: each known host (with its port: the kubelet matches ports
 * exactly), Docker Hub as `docker.io` and `*.docker.io` (its `index.` and `registry-1.` names),
 * and for an ECR registry whose account is not known yet every account's host in its region
 * (`*` stands for one domain part). Sorted, once each.
 */
export function matchImages(registries: readonly IntegrationRegistry[]): string[] {
  const out = new Set<string>();
  for (const r of registries) {
    if (r.host === DOCKER_HUB) {
      out.add(DOCKER_HUB);
      out.add(`*.${DOCKER_HUB}`);
    } else if (r.host) out.add(r.host);
    else if (r.ecrRegion) out.add(`*.dkr.ecr.${r.ecrRegion}.amazonaws.com${r.ecrRegion.startsWith("cn-") ? ".cn" : ""}`);
  }
  return [...out].sort();
}

/** YAML scalars written as JSON strings (valid YAML 1.1 and 1.2, whatever the characters). */
const q = (value: string) => JSON.stringify(value);

/** The kubelet's `CredentialProviderConfig` (kubelet.config.k8s.io/v1) for the Berth provider. */
export function credentialProviderConfigYaml(input: Omit<SnippetInput, "token">, cacheSeconds = 300): string {
  const images = matchImages(input.registries);
  return [
    "apiVersion: kubelet.config.k8s.io/v1",
    "kind: CredentialProviderConfig",
    "providers:",
    `  - name: ${PROVIDER_NAME}`,
    "    apiVersion: credentialprovider.kubelet.k8s.io/v1",
    "    matchImages:",
    ...images.map((m) => `      - ${q(m)}`),
    `    defaultCacheDuration: ${q(`${Math.round(cacheSeconds / 60)}m`)}`,
    "    env:",
    "      - name: BERTH_URL",
    `        value: ${q(originOf(input.url))}`,
    "      - name: BERTH_TOKEN_FILE",
    `        value: ${q(TOKEN_FILE)}`,
    "      - name: BERTH_COMPANY",
    `        value: ${q(input.company)}`,
    "      - name: BERTH_CACHE_SECONDS",
    `        value: ${q(String(cacheSeconds))}`,
    "",
  ].join("\n");
}

/** Installs the provider into the kubelet's plugin directory and the token into a root-only file. */
export function providerInstallCommands(input: Omit<SnippetInput, "registries">): string {
  return [
    `sudo mkdir -p ${PROVIDER_BIN_DIR} /etc/berth`,
    `sudo curl -fsSL ${originOf(input.url)}/downloads/${PROVIDER_NAME} -o ${PROVIDER_BIN_DIR}/${PROVIDER_NAME}`,
    `sudo chmod 755 ${PROVIDER_BIN_DIR}/${PROVIDER_NAME}`,
    `sudo install -m 600 -o root -g root /dev/null ${TOKEN_FILE}`,
    `printf '%s' ${sh(tokenOf(input))} | sudo tee ${TOKEN_FILE} >/dev/null`,
  ].join("\n");
}

export function kubeletFlags(): string {
  return `--image-credential-provider-config=${PROVIDER_CONFIG_PATH} --image-credential-provider-bin-dir=${PROVIDER_BIN_DIR}`;
}

// ------------------------------------------------------------------ External Secrets

/**
 * docs/kubernetes/external-secret.yaml with this Berth's URL, the company, its hosts and the
 * token (or the placeholder) filled in; with the docs' own values it is that file, byte for byte.
 */
export function externalSecretYaml(input: { url: string; company: string; hosts: readonly string[]; token?: string | null }): string {
  const body = `{"hosts": [${input.hosts.map((h) => JSON.stringify(h)).join(", ")}], "format": "secret-data"}`;
  return `# External Secrets Operator keeps my-app's pull secret in sync with Berth, with no Berth
# component in the cluster: a Webhook generator asks Berth for format "secret-data"
# ({".dockerconfigjson": "<the JSON as a string>"}) and the ExternalSecret writes it into a
# Secret of type kubernetes.io/dockerconfigjson, refreshed every hour.
#
# The API token (scope registries:pull). The label lets the Webhook generator read it.
apiVersion: v1
kind: Secret
metadata:
  name: berth-api-token
  namespace: my-app
  labels:
    external-secrets.io/type: webhook
type: Opaque
stringData:
  token: ${input.token ? q(input.token) : TOKEN_PLACEHOLDER}
---
apiVersion: generators.external-secrets.io/v1alpha1
kind: Webhook
metadata:
  name: berth-pull-secret
  namespace: my-app
spec:
  url: ${q(`${originOf(input.url)}/api/v1/companies/${input.company}/registries/pull-secret`)}
  method: POST
  timeout: 30s
  headers:
    Content-Type: application/json
    Accept: application/json
    Authorization: "Bearer {{ .berth.token }}"
  body: '${body.replace(/'/g, "''")}'
  result:
    jsonPath: "$.content"
  secrets:
    - name: berth
      secretRef:
        name: berth-api-token
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: berth-pull-secret
  namespace: my-app
spec:
  refreshInterval: 1h
  target:
    name: berth-pull-secret
    creationPolicy: Owner
    template:
      type: kubernetes.io/dockerconfigjson
      engineVersion: v2
      data:
        # The key starts with a dot: index reaches it where .dockerconfigjson would not parse.
        .dockerconfigjson: '{{ index . ".dockerconfigjson" }}'
  dataFrom:
    - sourceRef:
        generatorRef:
          apiVersion: generators.external-secrets.io/v1alpha1
          kind: Webhook
          name: berth-pull-secret
`;
}
