/**
 * The Dockerfile, read as Docker reads it (no Docker engine runs here, so the image is not built):
 * its stages, the runtime user, environment, health check, stop signal and command, and that what
 * it copies exists in the repository, and after a build in the standalone folder.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string;
  instructions: Instruction[];
}

/** Instructions by stage: comments dropped, `\` continuations joined, ARG defaults substituted in FROM. */
function parseDockerfile(text: string): { stages: Stage[]; args: Record<string, string> } {
  const lines: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) continue;
    if (pending && line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1) + " ";
      continue;
    }
    lines.push(pending + line);
    pending = "";
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = match[1]!.toUpperCase();
    const rest = match[2]!.trim();
    if (keyword === "ARG" && stages.length === 0) {
      const [k, v = ""] = rest.split("=", 2);
      args[k!] = v;
    } else if (keyword === "FROM") {
      const [image, as, name] = rest.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? "").split(/\s+/);
      expect(as?.toUpperCase(), `FROM ${rest} names its stage`).toBe("AS");
      stages.push({ image: image!, name: name!, instructions: [] });
    } else {
      expect(stages.length, `${keyword} before the first FROM`).toBeGreaterThan(0);
      stages.at(-1)!.instructions.push({ keyword, args: rest });
    }
  }
  return { stages, args };
}

/** `ENV A=1 B=2` → {A: "1", B: "2"} (the key=value form only, which this Dockerfile uses). */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === "ENV")) {
    for (const pair of i.args.split(/\s+/)) {
      const eq = pair.indexOf("=");
      expect(eq, `ENV ${pair} uses key=value`).toBeGreaterThan(0);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

function one(stage: Stage, keyword: string): string {
  const found = stage.instructions.filter((i) => i.keyword === keyword);
  expect(found, `exactly one ${keyword} in stage ${stage.name}`).toHaveLength(1);
  return found[0]!.args;
}

/** COPY's sources and options: `COPY --from=build /a ./b` → {from: "build", sources: ["/a"], dest: "./b"}. */
function copies(stage: Stage): { from?: string; sources: string[]; dest: string }[] {
  return stage.instructions
    .filter((i) => i.keyword === "COPY")
    .map((i) => {
      const parts = i.args.split(/\s+/);
      const flags = parts.filter((p) => p.startsWith("--"));
      const paths = parts.filter((p) => !p.startsWith("--"));
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });
}

const { stages } = parseDockerfile(fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8"));
const byName = new Map(stages.map((s) => [s.name, s]));
const runtime = stages.at(-1)!;

describe("Dockerfile", () => {
  it("has a deps, a build and a runtime stage, all on a slim Node 20+ image", () => {
    expect(stages.map((s) => s.name)).toEqual(["deps", "build", "runtime"]);
    for (const stage of stages) {
      const tag = /^node:(\d+)[\w.-]*-slim$/.exec(stage.image);
      expect(tag, `${stage.name}: ${stage.image}`).not.toBeNull();
      expect(Number(tag![1])).toBeGreaterThanOrEqual(20);
    }
  });

  it("installs with npm install (not npm ci) and builds with npm run build", () => {
    const deps = byName.get("deps")!;
    const run = deps.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args).join("\n");
    expect(run).toMatch(/\bnpm install\b/);
    expect(run).not.toMatch(/\bnpm ci\b/);
    expect(byName.get("build")!.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args)).toContain("npm run build");
  });

  it("runs as a non-root user with uid 10001", () => {
    const user = one(runtime, "USER");
    expect(user.split(":")[0]).toBe("10001");
    const run = runtime.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args).join("\n");
    expect(run).toMatch(/useradd [^\n]*--uid 10001/);
    // USER comes after every RUN, so nothing later runs as root.
    const lastRun = runtime.instructions.map((i) => i.keyword).lastIndexOf("RUN");
    expect(runtime.instructions.findIndex((i) => i.keyword === "USER")).toBeGreaterThan(lastRun);
  });

  it("sets the production environment, Berth's SIGTERM handling and the embedded data directory", () => {
    expect(envOf(runtime)).toMatchObject({
      NODE_ENV: "production",
      NEXT_MANUAL_SIG_HANDLE: "true",
      PORT: "3000",
      HOSTNAME: "0.0.0.0",
      BERTH_DATA_DIR: "/data",
    });
    expect(one(runtime, "VOLUME")).toMatch(/"\/data"|^\/data$/);
    expect(one(runtime, "EXPOSE")).toBe("3000");
    expect(one(runtime, "STOPSIGNAL")).toBe("SIGTERM");
  });

  it("checks health with Node on /api/ready, a route of the app", () => {
    const check = one(runtime, "HEALTHCHECK");
    const cmd = /\bCMD\s+(\[.*\])$/.exec(check);
    expect(cmd, check).not.toBeNull();
    const argv = JSON.parse(cmd![1]!) as string[];
    expect(argv[0]).toBe("node");
    const paths = [...argv.join(" ").matchAll(/(\/api\/[\w/-]+)/g)].map((m) => m[1]);
    expect(paths).toEqual(["/api/ready"]);
    expect(argv.join(" ")).not.toMatch(/curl|wget/);
    expect(fs.existsSync(path.join(ROOT, "app", paths[0]!, "route.ts")), `app${paths[0]}/route.ts`).toBe(true);
  });

  it("starts the standalone server in exec form", () => {
    expect(JSON.parse(one(runtime, "CMD"))).toEqual(["node", "server.js"]);
  });

  it("copies into the runtime only the standalone folder, its static assets and public/", () => {
    const copied = copies(runtime);
    expect(copied.every((c) => c.from === "build")).toBe(true);
    expect(copied.flatMap((c) => c.sources).sort()).toEqual(["/app/.next/standalone", "/app/.next/static", "/app/public"]);
  });

  it("copies only what exists: the repository's files, and after a build the standalone folder", () => {
    for (const c of copies(byName.get("deps")!)) {
      for (const source of c.sources) expect(fs.existsSync(path.join(ROOT, source)), source).toBe(true);
    }
    expect(fs.existsSync(path.join(ROOT, "public"))).toBe(true);
    const built = path.join(ROOT, ".next", "standalone", "server.js");
    if (!fs.existsSync(built)) return; // not built in this checkout: the e2e standalone test covers the folder
    for (const c of copies(runtime)) {
      for (const source of c.sources) expect(fs.existsSync(path.join(ROOT, source.replace(/^\/app\//, ""))), source).toBe(true);
    }
    expect(fs.existsSync(path.join(ROOT, ".next/standalone/db/migrations/meta/_journal.json")), "migrations traced in").toBe(true);
  });

  it("keeps secrets, local data and builds out of the build context", () => {
    const ignored = fs.readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    for (const entry of [".env", ".env.*", ".data", "node_modules", ".next", ".git"]) expect(ignored).toContain(entry);
  });
});
