/**
 * The Kubernetes manifests of docs/deploy.md, parsed as kubectl reads them (YAML 1.1, where a bare
 * `off` would be a boolean) and checked against the app: probe paths are routes in app/, every
 * variable is one Berth (lib/env.ts) or its server knows, the secrets come from the Secret, the web
 * tier runs no jobs and the worker does, the Service and PodDisruptionBudget select the web pods,
 * the grace period outlasts the drain plus the shutdown timeout, and the pods run as the image's
 * non-root user on a read-only root. No cluster runs here: this is what the manifests say, not
 * what a cluster does with them.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { envSchema, parseEnv } from "@/lib/env";

const DIR = __dirname;
const ROOT = path.resolve(DIR, "..", "..");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;

function load(file: string): Manifest[] {
  const docs = parseAllDocuments(fs.readFileSync(path.join(DIR, file), "utf8"), { version: "1.1" });
  return docs.map((d) => {
    expect(d.errors, file).toEqual([]);
    expect(d.warnings, file).toEqual([]);
    return d.toJS() as Manifest;
  });
}

const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();
const all = FILES.flatMap((f) => load(f).map((m) => ({ file: f, m })));
const byKind = (kind: string) => all.filter((x) => x.m.kind === kind).map((x) => x.m);
const secret = byKind("Secret")[0]!;
const deployments = byKind("Deployment");
const web = deployments.find((d) => d.metadata.name === "berth-web")!;
const worker = deployments.find((d) => d.metadata.name === "berth-worker")!;
const container = (d: Manifest) => d.spec.template.spec.containers[0] as Manifest;
const envOf = (d: Manifest) => new Map<string, Manifest>((container(d).env as Manifest[]).map((e) => [e.name, e]));

/** Variables the standalone server itself reads (Node and Next.js), not Berth's configuration. */
const SERVER_VARIABLES = new Set(["HOSTNAME", "NEXT_MANUAL_SIG_HANDLE", "NODE_EXTRA_CA_CERTS", "KEEP_ALIVE_TIMEOUT"]);

function routeExists(urlPath: string): boolean {
  return fs.existsSync(path.join(ROOT, "app", ...urlPath.split("/").filter(Boolean), "route.ts"));
}

describe("docs/deploy manifests", () => {
  it("has the Secret, the web and worker Deployments, the Service and the PodDisruptionBudget", () => {
    expect(FILES).toEqual(["pdb.yaml", "secret.yaml", "service.yaml", "web.yaml", "worker.yaml"]);
    expect(all.map((x) => x.m.kind).sort()).toEqual(["Deployment", "Deployment", "PodDisruptionBudget", "Secret", "Service"]);
    expect(web).toBeDefined();
    expect(worker).toBeDefined();
  });

  it("are each shown in docs/deploy.md exactly as in their file", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "deploy.md"), "utf8");
    for (const f of FILES) expect(doc, f).toContain(fs.readFileSync(path.join(DIR, f), "utf8").trim());
  });

  it("keep ENCRYPTION_KEYS, AUTH_SECRET and DATABASE_URL in the Secret, and take them only from it", () => {
    expect(Object.keys(secret.stringData).sort()).toEqual(["AUTH_SECRET", "DATABASE_URL", "ENCRYPTION_KEYS"]);
    for (const d of [web, worker]) {
      const env = envOf(d);
      for (const key of Object.keys(secret.stringData)) {
        expect(env.get(key)?.value, `${d.metadata.name} ${key} is not inline`).toBeUndefined();
        expect(env.get(key)?.valueFrom?.secretKeyRef, `${d.metadata.name} ${key}`).toEqual({ name: secret.metadata.name, key });
      }
    }
  });

  it("name only variables Berth or its server knows", () => {
    const known = new Set([...Object.keys(envSchema.shape), ...SERVER_VARIABLES]);
    for (const d of [web, worker]) for (const name of envOf(d).keys()) expect(known.has(name), `${d.metadata.name}: ${name}`).toBe(true);
    for (const name of Object.keys(secret.stringData)) expect(known.has(name), name).toBe(true);
  });

  it("give every value a form lib/env.ts accepts (with the Secret's placeholders)", () => {
    for (const d of [web, worker]) {
      const source: Record<string, string> = {};
      for (const [name, e] of envOf(d)) source[name] = typeof e.value === "string" ? e.value : String(secret.stringData[e.valueFrom.secretKeyRef.key]);
      expect(typeof envOf(d).get("BERTH_JOBS")?.value, "quoted, not a YAML 1.1 boolean").toBe("string");
      expect(() => parseEnv(source), d.metadata.name).not.toThrow();
    }
  });

  it("run no jobs on the web tier and the jobs on the worker tier, 3 web replicas and 1–2 workers", () => {
    expect(parseEnv({ BERTH_JOBS: envOf(web).get("BERTH_JOBS")?.value }).BERTH_JOBS).toBe("off");
    expect(parseEnv({ BERTH_JOBS: envOf(worker).get("BERTH_JOBS")?.value }).BERTH_JOBS).toBe("on");
    expect(web.spec.replicas).toBe(3);
    expect(worker.spec.replicas).toBeGreaterThanOrEqual(1);
    expect(worker.spec.replicas).toBeLessThanOrEqual(2);
  });

  it("probe readiness on /api/ready and liveness on /api/health, routes of the app, on the container's port", () => {
    for (const d of [web, worker]) {
      const c = container(d);
      expect(c.readinessProbe.httpGet.path).toBe("/api/ready");
      expect(c.livenessProbe.httpGet.path).toBe("/api/health");
      const portNames = new Set((c.ports as Manifest[]).map((p) => p.name));
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean)) {
        expect(routeExists(probe.httpGet.path), `app${probe.httpGet.path}/route.ts`).toBe(true);
        expect(portNames.has(probe.httpGet.port), String(probe.httpGet.port)).toBe(true);
      }
      expect(c.ports[0].containerPort).toBe(parseEnv({}).PORT);
    }
  });

  it("select the web pods from the Service and the PodDisruptionBudget, and not the workers", () => {
    const labels = web.spec.template.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>, l: Record<string, string>) => Object.entries(selector).every(([k, v]) => l[k] === v);
    expect(web.spec.selector.matchLabels).toEqual(Object.fromEntries(Object.keys(web.spec.selector.matchLabels).map((k) => [k, labels[k]])));
    const pdb = byKind("PodDisruptionBudget")[0]!;
    const service = byKind("Service")[0]!;
    for (const selector of [pdb.spec.selector.matchLabels, service.spec.selector]) {
      expect(matches(selector, labels)).toBe(true);
      expect(matches(selector, worker.spec.template.metadata.labels)).toBe(false);
    }
    expect(pdb.spec.minAvailable).toBeLessThan(web.spec.replicas);
    expect(service.spec.ports[0].targetPort).toBe(container(web).ports[0].name);
  });

  it("leave a grace period longer than the drain plus the shutdown timeout", () => {
    // The defaults as lib/env.ts states them once it knows the variables; the documented ones until then.
    const defaults = parseEnv({}) as Record<string, unknown>;
    for (const d of [web, worker]) {
      const env = envOf(d);
      const drainMs = Number(env.get("BERTH_DRAIN_MS")?.value ?? defaults.BERTH_DRAIN_MS ?? 5000);
      const timeoutMs = Number(env.get("BERTH_SHUTDOWN_TIMEOUT_MS")?.value ?? defaults.BERTH_SHUTDOWN_TIMEOUT_MS ?? 25_000);
      expect(d.spec.template.spec.terminationGracePeriodSeconds * 1000, d.metadata.name).toBeGreaterThan(drainMs + timeoutMs);
    }
  });

  it("run as the image's non-root user on a read-only root with a writable /tmp", () => {
    const dockerUser = /^USER\s+(\d+)/m.exec(fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8"))![1];
    for (const d of [web, worker]) {
      const pod = d.spec.template.spec;
      const c = container(d);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(String(pod.securityContext.runAsUser)).toBe(dockerUser);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      const tmp = (c.volumeMounts as Manifest[]).find((v) => v.mountPath === "/tmp");
      expect((pod.volumes as Manifest[]).find((v) => v.name === tmp?.name)?.emptyDir, "an emptyDir at /tmp").toBeDefined();
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
  });
});
