/**
 * The Integrations page's snippets: JSON that parses, YAML that parses as the kubelet and kubectl
 * read it, shell that a shell runs (on loopback-free commands only: variables and a file in a
 * temporary HOME), matchImages that the kubelet's matching rule applies to the right images, and
 * the External Secrets manifests equal to docs/kubernetes/external-secret.yaml.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  ambiguousHosts,
  credHelpersJson,
  credentialProviderConfigYaml,
  distinctHosts,
  externalSecretYaml,
  gitlabDockerAuthConfig,
  gitlabRunnerVariables,
  helperConfigFileCommand,
  helperConfigJson,
  helperEnvironment,
  helperInstallCommand,
  kubeletFlags,
  matchImages,
  providerInstallCommands,
  TOKEN_PLACEHOLDER,
  type IntegrationRegistry,
} from "./snippets";

const URL = "http://127.0.0.1:3123";
/** A bare environment for the shell snippets (nothing of the test process's own). */
const shellEnv = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", ...extra }) as unknown as NodeJS.ProcessEnv;
const COMPANY = "acme-corp";
const TOKEN = "brt_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd";

const REGISTRIES: IntegrationRegistry[] = [
  { name: "Hub", host: "docker.io", prefix: "" },
  { name: "GHCR a", host: "ghcr.io", prefix: "org-a" },
  { name: "GHCR b", host: "ghcr.io", prefix: "org-b" },
  { name: "Local", host: "127.0.0.1:5000", prefix: "" },
  { name: "Local team", host: "127.0.0.1:5000", prefix: "team" },
  { name: "ECR", host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", prefix: "" },
  { name: "ECR any", host: null, prefix: "", ecrRegion: "us-east-2" },
];

/**
 * The kubelet's rule for matchImages (pkg/credentialprovider URLsMatch), transcribed: the same
 * number of domain parts, each matching as a glob (`*` within one part), the same port when the
 * pattern has one, and the pattern's path a prefix of the image's.
 */
function kubeletMatches(pattern: string, image: string): boolean {
  const split = (s: string) => {
    const slash = s.indexOf("/");
    const hostPort = slash === -1 ? s : s.slice(0, slash);
    const p = slash === -1 ? "" : s.slice(slash + 1);
    const colon = hostPort.lastIndexOf(":");
    return { host: colon === -1 ? hostPort : hostPort.slice(0, colon), port: colon === -1 ? "" : hostPort.slice(colon + 1), path: p };
  };
  const a = split(pattern);
  const b = split(image);
  const ap = a.host.split(".");
  const bp = b.host.split(".");
  if (ap.length !== bp.length) return false;
  const glob = (g: string, s: string) => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^.]*")}$`).test(s);
  if (!ap.every((part, i) => glob(part, bp[i]!))) return false;
  if (a.port && a.port !== b.port) return false;
  return b.path.startsWith(a.path);
}

describe("hosts", () => {
  it("distinct known hosts, sorted; hosts with only path-prefixed registries are ambiguous for the helper", () => {
    expect(distinctHosts(REGISTRIES)).toEqual(["123456789012.dkr.ecr.eu-west-1.amazonaws.com", "127.0.0.1:5000", "docker.io", "ghcr.io"]);
    // 127.0.0.1:5000 has a registry without a prefix: the helper answers with that one
    expect(ambiguousHosts(REGISTRIES)).toEqual(["ghcr.io"]);
    expect(ambiguousHosts([{ name: "one", host: "ghcr.io", prefix: "only" }])).toEqual([]);
  });
});

describe("Docker, Podman, skopeo", () => {
  it("credHelpers is valid JSON with one entry per distinct host, all naming berth", () => {
    const parsed = JSON.parse(credHelpersJson(REGISTRIES));
    expect(parsed).toEqual({
      credHelpers: { "123456789012.dkr.ecr.eu-west-1.amazonaws.com": "berth", "127.0.0.1:5000": "berth", "docker.io": "berth", "ghcr.io": "berth" },
    });
    expect(JSON.parse(gitlabDockerAuthConfig(REGISTRIES))).toEqual(parsed);
    expect(gitlabDockerAuthConfig(REGISTRIES)).not.toContain("\n");
  });

  it("the install command downloads from this Berth", () => {
    expect(helperInstallCommand(`${URL}/`)).toBe(
      `curl -fsSL ${URL}/downloads/docker-credential-berth -o /usr/local/bin/docker-credential-berth && chmod +x /usr/local/bin/docker-credential-berth`,
    );
  });

  it("the environment runs in a shell and sets exactly the three variables (placeholder until a token is made)", () => {
    const run = (token: string | null) =>
      execFileSync("bash", ["-c", `${helperEnvironment({ url: URL, company: COMPANY, token })}\nprintf '%s\\n' "$BERTH_URL" "$BERTH_TOKEN" "$BERTH_COMPANY"`], { encoding: "utf8", env: shellEnv() });
    expect(run(TOKEN)).toBe(`${URL}\n${TOKEN}\n${COMPANY}\n`);
    expect(run(null)).toBe(`${URL}\n${TOKEN_PLACEHOLDER}\n${COMPANY}\n`);
  });

  it("the config file command writes valid JSON {url, token, company} with mode 0600 at the XDG path (default ~/.config)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "berth-snippet-"));
    try {
      execFileSync("bash", ["-c", helperConfigFileCommand({ url: URL, company: COMPANY, token: TOKEN })], { env: shellEnv({ HOME: home }) });
      const file = path.join(home, ".config", "berth", "credential-helper.json");
      expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ url: URL, token: TOKEN, company: COMPANY });
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const xdg = path.join(home, "xdg");
      execFileSync("bash", ["-c", helperConfigFileCommand({ url: URL, company: COMPANY })], { env: shellEnv({ HOME: home, XDG_CONFIG_HOME: xdg }) });
      expect(JSON.parse(fs.readFileSync(path.join(xdg, "berth", "credential-helper.json"), "utf8"))).toEqual({ url: URL, token: TOKEN_PLACEHOLDER, company: COMPANY });
      expect(JSON.parse(helperConfigJson({ url: URL, company: COMPANY, token: TOKEN }))).toEqual({ url: URL, token: TOKEN, company: COMPANY });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("the GitLab runner variables name this Berth, the company and the token", () => {
    expect(gitlabRunnerVariables({ url: URL, company: COMPANY, token: TOKEN }).split("\n")).toEqual([`BERTH_URL=${URL}`, `BERTH_COMPANY=${COMPANY}`, `BERTH_TOKEN=${TOKEN}`]);
  });
});

describe("the kubelet credential provider", () => {
  it("matchImages: each host once with its port, Docker Hub with its aliases, an unknown ECR account by region", () => {
    expect(matchImages(REGISTRIES)).toEqual(["*.dkr.ecr.us-east-2.amazonaws.com", "*.docker.io", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "127.0.0.1:5000", "docker.io", "ghcr.io"]);
    expect(matchImages([{ name: "cn", host: null, prefix: "", ecrRegion: "cn-north-1" }])).toEqual(["*.dkr.ecr.cn-north-1.amazonaws.com.cn"]);
  });

  it.each([
    ["docker.io/library/nginx", true],
    ["index.docker.io/library/nginx", true],
    ["registry-1.docker.io/library/nginx", true],
    ["ghcr.io/org-a/app", true],
    ["ghcr.io/org-c/app", true],
    ["127.0.0.1:5000/team/app", true],
    ["127.0.0.1:5001/team/app", false],
    ["999999999999.dkr.ecr.us-east-2.amazonaws.com/app", true],
    ["999999999999.dkr.ecr.eu-west-1.amazonaws.com/app", false],
    ["quay.io/org/app", false],
    ["ghcr.io.evil.test/app", false],
  ])("the kubelet sends %s to the provider: %s", (image, expected) => {
    expect(matchImages(REGISTRIES).some((p) => kubeletMatches(p, image))).toBe(expected);
  });

  it("the CredentialProviderConfig parses (YAML 1.1 and 1.2) with the provider, its matchImages and environment", () => {
    const text = credentialProviderConfigYaml({ url: URL, company: COMPANY, registries: REGISTRIES });
    for (const version of ["1.1", "1.2"] as const) {
      const doc = parse(text, { version });
      expect(doc).toEqual({
        apiVersion: "kubelet.config.k8s.io/v1",
        kind: "CredentialProviderConfig",
        providers: [
          {
            name: "berth-credential-provider",
            apiVersion: "credentialprovider.kubelet.k8s.io/v1",
            matchImages: matchImages(REGISTRIES),
            defaultCacheDuration: "5m",
            env: [
              { name: "BERTH_URL", value: URL },
              { name: "BERTH_TOKEN_FILE", value: "/etc/berth/token" },
              { name: "BERTH_COMPANY", value: COMPANY },
              { name: "BERTH_CACHE_SECONDS", value: "300" },
            ],
          },
        ],
      });
    }
    // the token is never in the node's config: only the file's path
    expect(text).not.toContain("brt_");
  });

  it("the install commands put the plugin in the bin dir and the token in a root-only file; the flags name both", () => {
    const text = providerInstallCommands({ url: URL, company: COMPANY, token: TOKEN });
    expect(text).toContain(`${URL}/downloads/berth-credential-provider -o /usr/local/lib/kubelet-credential-providers/berth-credential-provider`);
    expect(text).toContain("install -m 600 -o root -g root /dev/null /etc/berth/token");
    expect(text).toContain(`'${TOKEN}'`);
    expect(kubeletFlags()).toBe("--image-credential-provider-config=/etc/kubernetes/berth-credential-provider.yaml --image-credential-provider-bin-dir=/usr/local/lib/kubelet-credential-providers");
  });
});

describe("External Secrets", () => {
  it("with the docs' values it is docs/kubernetes/external-secret.yaml, byte for byte", () => {
    const docs = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "kubernetes", "external-secret.yaml"), "utf8");
    expect(externalSecretYaml({ url: "https://berth.example.com", company: "acme", hosts: ["ghcr.io", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"] })).toBe(docs);
  });

  it("filled in, it parses as kubectl reads it, with this Berth's URL, the company, the hosts and the token", () => {
    const text = externalSecretYaml({ url: URL, company: COMPANY, hosts: distinctHosts(REGISTRIES), token: TOKEN });
    const docs = parseAllDocuments(text, { version: "1.1" }).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS();
    });
    expect(docs.map((d) => d.kind)).toEqual(["Secret", "Webhook", "ExternalSecret"]);
    expect(docs[0].stringData.token).toBe(TOKEN);
    expect(docs[1].spec.url).toBe(`${URL}/api/v1/companies/${COMPANY}/registries/pull-secret`);
    expect(JSON.parse(docs[1].spec.body)).toEqual({ hosts: distinctHosts(REGISTRIES), format: "secret-data" });
  });
});
