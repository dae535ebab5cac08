import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/v1/me/route";
import { openDb } from "@/db";
import { releaseDataDir } from "@/db/data-dir";
import { apiTokens, auditEvents, companies, memberships, registries, sessions, users } from "@/db/schema";
import { createSession } from "@/lib/auth/sessions";
import { checkCredentials } from "@/lib/auth/sign-in";
import { hashApiToken } from "@/lib/auth/tokens";
import { requirePermission } from "@/lib/context";
import { apiRequest } from "@/lib/testing/auth";
import { baseCliEnv, runCli } from "@/lib/testing/cli";
import { createTestDb, type TestDb } from "@/lib/testing/db";
import { contextFor } from "@/lib/testing/identity";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";

/**
 * The CLI as `npm run berth -- …` runs it: a child process. Against a fresh PostgreSQL database
 * when DATABASE_URL is set (as in CI), else against an embedded data directory.
 */
const PG = !!process.env.DATABASE_URL;
const SLOW = 120_000;

let dataDir: string;
let pg: TestDb | undefined;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-cli-"));
  env = { ...baseCliEnv(), BERTH_DATA_DIR: dataDir };
  if (PG) {
    pg = await createTestDb();
    Object.assign(env, { DATABASE_URL: pg.url, ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS, AUTH_SECRET: process.env.AUTH_SECRET });
  }
});
afterAll(async () => {
  await pg?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const berth = (args: string[], stdin?: string) => runCli(args, { env, stdin });

/** Opens the database the CLI wrote to, as the app's own modules would see it, for checks. */
async function withCliDb(fn: (db: Awaited<ReturnType<typeof openDb>>["db"]) => Promise<void>) {
  const handle = PG ? await openDb({ databaseUrl: pg!.url }) : await openDb({ databaseUrl: "", dataDir });
  const g = globalThis as unknown as { berthDb?: Promise<unknown> };
  g.berthDb = Promise.resolve({ ...handle, close: async () => {} });
  try {
    await fn(handle.db);
  } finally {
    g.berthDb = undefined;
    await handle.close();
    if (!PG) releaseDataDir(dataDir);
  }
}

const TOKEN_LINE = /^brt_[A-Za-z0-9_-]{43}\n$/;
let token = "";

describe(`berth CLI (${PG ? "PostgreSQL" : "embedded"})`, () => {
  it(
    "user create reads the password from stdin; an owner may create the company",
    async () => {
      const owner = await berth(["user", "create", "--email", "Owner@Cli.test", "--company", "cli-co", "--role", "owner"], "owner-password-1\n");
      expect(owner, owner.stderr).toMatchObject({ code: 0, stdout: "" });
      expect(owner.stderr).toMatch(/Created company "cli-co"/);
      const member = await berth(["user", "create", "--email", "member@cli.test", "--company", "cli-co", "--role", "member", "--manage-registries", "--name", "Mem"], "member-password-1");
      expect(member, member.stderr).toMatchObject({ code: 0, stdout: "" });
      expect(member.stderr).toMatch(/member@cli\.test is member of cli-co/);
    },
    SLOW,
  );

  it(
    "token create prints only the token on stdout",
    async () => {
      const res = await berth(["token", "create", "--company", "cli-co", "--email", "member@cli.test", "--scopes", "registries:read,registries:write", "--expires", "30d", "--name", "ci"]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(TOKEN_LINE);
      token = res.stdout.trim();
      expect(res.stderr).not.toContain(token);
    },
    SLOW,
  );

  it.each([
    { why: "an unknown scope", args: ["--scopes", "registries:admin"], message: /scopes\.0/ },
    { why: "an empty scope list", args: ["--scopes", ","], message: /scopes/ },
    { why: "a bad expiry", args: ["--scopes", "registries:read", "--expires", "tomorrow"], message: /--expires/ },
    { why: "a bad allowlist entry", args: ["--scopes", "registries:read", "--allow", "10.0.0.0/8,nonsense"], message: /cidrAllowlist\.1/ },
    { why: "a registry limit that is not an id", args: ["--scopes", "registries:pull", "--registries", "nonsense"], message: /registryIds\.0/ },
    { why: "a registry limit naming no registry of the company", args: ["--scopes", "registries:pull", "--registries", "00000000-0000-4000-8000-000000000000"], message: /registryIds\.0: No registry/ },
  ])(
    "token create with $why fails with a message on stderr and nothing on stdout",
    async ({ args, message }) => {
      const res = await berth(["token", "create", "--company", "cli-co", "--email", "member@cli.test", ...args]);
      expect(res.code).not.toBe(0);
      expect(res.code).not.toBeNull();
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(message);
    },
    SLOW,
  );

  it(
    "token create for a non-member or an unknown company fails",
    async () => {
      const stranger = await berth(["token", "create", "--company", "cli-co", "--email", "nobody@cli.test", "--scopes", "registries:read"]);
      expect(stranger.code).toBe(1);
      expect(stranger.stderr).toMatch(/not a member of cli-co/);
      const nowhere = await berth(["token", "create", "--company", "no-such-co", "--email", "member@cli.test", "--scopes", "registries:read"]);
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr).toMatch(/No company with slug "no-such-co"/);
      expect(stranger.stdout + nowhere.stdout).toBe("");
    },
    SLOW,
  );

  it(
    "user create refuses a short password and a non-owner for a missing company",
    async () => {
      const short = await berth(["user", "create", "--email", "short@cli.test", "--company", "cli-co", "--role", "viewer"], "short\n");
      expect(short.code).toBe(1);
      expect(short.stderr).toMatch(/at least 12/);
      const common = await berth(["user", "create", "--email", "common@cli.test", "--company", "cli-co", "--role", "viewer"], "qwertyuiop123\n");
      expect(common.code).toBe(1);
      expect(common.stderr).toMatch(/too common/);
      const orphan = await berth(["user", "create", "--email", "orphan@cli.test", "--company", "nowhere", "--role", "admin"], "orphan-password");
      expect(orphan.code).toBe(1);
      expect(orphan.stderr).toMatch(/No company with slug "nowhere"/);
    },
    SLOW,
  );

  it(
    "user reset-password reads the new password from stdin, applies the password rules and ends every session",
    async () => {
      let sessionId = "";
      await withCliDb(async (db) => {
        const [member] = await db.select().from(users).where(eq(users.email, "member@cli.test"));
        sessionId = await createSession(db, { userId: member!.id, ip: "127.0.0.1", userAgent: "test" });
      });
      for (const [password, message] of [["short-pw\n", /at least 12/], ["password1234\n", /too common/]] as const) {
        const refused = await berth(["user", "reset-password", "--email", "member@cli.test"], password);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(message);
      }
      await withCliDb(async (db) => {
        const [row] = await db.select().from(sessions).where(eq(sessions.id, sessionId));
        expect(row!.revokedAt, "a refused password changes nothing").toBeNull();
      });
      const res = await berth(["user", "reset-password", "--email", "member@cli.test"], "member-password-2\n");
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/Password of member@cli\.test changed/);
      await withCliDb(async (db) => {
        const [row] = await db.select().from(sessions).where(eq(sessions.id, sessionId));
        expect(row!.revokedAt).not.toBeNull();
        const audit = await db.select().from(auditEvents).where(eq(auditEvents.action, "user.password_reset"));
        expect(audit).toContainEqual(expect.objectContaining({ targetId: row!.userId, metadata: { via: "cli", sessionsEnded: 1 } }));
        expect(JSON.stringify(audit)).not.toContain("member-password-2");
      });
    },
    SLOW,
  );

  it.each([
    { args: ["frobnicate", "now"], message: /Unknown command "frobnicate now"/ },
    { args: [], message: /No command given/ },
    { args: ["token", "create", "--bogus", "x"], message: /bogus/ },
    { args: ["user", "create", "--company", "cli-co", "--role", "owner"], message: /--email is required/ },
    { args: ["user", "create", "--email", "x@cli.test", "--company", "cli-co", "--role", "king"], message: /--role must be one of/ },
  ])(
    "usage errors exit 2 with the usage on stderr: $args",
    async ({ args, message }) => {
      const res = await berth(args, "irrelevant-password");
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).toMatch(/Usage: npm run berth/);
      expect(res.stdout).toBe("");
    },
    SLOW,
  );

  it(
    "keys rotate and db migrate exit 0",
    async () => {
      const rotate = await berth(["keys", "rotate"]);
      expect(rotate.code, rotate.stderr).toBe(0);
      expect(rotate.stderr).toMatch(/Re-encrypted 0 registries/);
      const migrate = await berth(["db", "migrate"]);
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(migrate.stderr).toMatch(/Migrations are up to date/);
      expect(rotate.stdout + migrate.stdout).toBe("");
    },
    SLOW,
  );

  it(
    "what the CLI did is in the database: the token works, with the member's rights",
    async () => {
      expect(token).toMatch(/^brt_/);
      await withCliDb(async (db) => {
        const [company] = await db.select().from(companies);
        expect(company).toMatchObject({ slug: "cli-co", name: "cli-co" });
        const ms = await db.select({ email: users.email, role: memberships.role, mr: memberships.manageRegistries }).from(memberships).innerJoin(users, eq(users.id, memberships.userId));
        expect(ms).toEqual(expect.arrayContaining([{ email: "owner@cli.test", role: "owner", mr: true }, { email: "member@cli.test", role: "member", mr: true }]));
        expect(ms.map((m) => m.email)).not.toContain("short@cli.test");

        const tokens = await db.select().from(apiTokens);
        expect(tokens).toHaveLength(1); // the failed attempts stored nothing
        expect(tokens[0]).toMatchObject({ tokenHash: hashApiToken(token), name: "ci", scopes: ["registries:read", "registries:write"] });
        const days = (tokens[0]!.expiresAt!.getTime() - Date.now()) / 86_400_000;
        expect(days).toBeGreaterThan(29.9);
        expect(days).toBeLessThanOrEqual(30);

        const res = await me(apiRequest("GET", "/api/v1/me", { token }));
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ user: { email: "member@cli.test", name: "Mem" }, token: { name: "ci" }, companies: [{ slug: "cli-co", role: "member" }] });
        const ctx = await contextFor("cli-co", { token });
        expect(() => requirePermission(ctx, "registries:write")).not.toThrow();
        expect(() => requirePermission(ctx, "registries:pull")).toThrow();

        const headers = new Headers({ [PEER_HEADER]: stampedPeer("127.0.0.1") });
        expect((await checkCredentials("member@cli.test", "member-password-2", headers)).ok).toBe(true);
        expect((await checkCredentials("member@cli.test", "member-password-1", headers)).ok).toBe(false);
        expect((await checkCredentials("owner@cli.test", "owner-password-1", headers)).ok).toBe(true);

        const actions = (await db.select().from(auditEvents)).map((e) => e.action);
        expect(actions).toEqual(expect.arrayContaining(["company.created", "member.added", "token.created"]));
        expect(JSON.stringify(await db.select().from(auditEvents))).not.toContain(token);
      });
    },
    SLOW,
  );

  it(
    "token create --registries limits the token to those registries",
    async () => {
      let registryId = "";
      await withCliDb(async (db) => {
        const [co] = await db.select().from(companies).where(eq(companies.slug, "cli-co"));
        const [r] = await db.insert(registries).values({ companyId: co!.id, type: "custom", name: "cli limited", url: "127.0.0.1:9/cli", credentials: { url: "127.0.0.1:9/cli" } }).returning();
        registryId = r!.id;
      });
      const res = await berth(["token", "create", "--company", "cli-co", "--email", "member@cli.test", "--scopes", "registries:pull", "--name", "limited", "--registries", `${registryId},${registryId}`]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(TOKEN_LINE);
      await withCliDb(async (db) => {
        const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashApiToken(res.stdout.trim())));
        expect(row!.registryIds).toEqual([registryId]);
      });
    },
    SLOW,
  );

  it(
    "token create stays open to the operator under a company's two-factor policy, and the audit log says so",
    async () => {
      await withCliDb(async (db) => {
        await db.update(companies).set({ requireTwoFactor: true }).where(eq(companies.slug, "cli-co"));
      });
      const res = await berth(["token", "create", "--company", "cli-co", "--email", "member@cli.test", "--scopes", "registries:read", "--name", "ci-2fa"]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(TOKEN_LINE);
      expect(res.stderr).toMatch(/cli-co requires two-factor and member@cli\.test has none/);
      await withCliDb(async (db) => {
        const created = (await db.select().from(auditEvents)).filter((e) => e.action === "token.created" && (e.metadata as { name?: string }).name === "ci-2fa");
        expect(created).toHaveLength(1);
        expect(created[0]!.metadata).toMatchObject({ via: "cli", twoFactorPolicyBypassed: true });
        // The token works although the member's sessions are refused in cli-co.
        expect((await me(apiRequest("GET", "/api/v1/me", { token: res.stdout.trim() }))).status).toBe(200);
      });
    },
    SLOW,
  );
});

describe("the embedded data directory's lock", () => {
  let sleeper: ChildProcess | undefined;
  let lockedDir: string;
  afterAll(() => {
    if (sleeper && sleeper.exitCode === null && sleeper.signalCode === null) sleeper.kill("SIGKILL");
    fs.rmSync(lockedDir, { recursive: true, force: true });
  });

  it(
    "the CLI refuses a data directory held by a live process, naming it",
    async () => {
      lockedDir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-locked-"));
      sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 120000)"], { stdio: "ignore" });
      expect(sleeper.pid).toBeGreaterThan(0);
      fs.writeFileSync(path.join(lockedDir, "berth.lock"), String(sleeper.pid));

      const lockedEnv = { ...baseCliEnv(), BERTH_DATA_DIR: lockedDir };
      for (const args of [["db", "migrate"], ["token", "create", "--company", "x", "--email", "a@b.test", "--scopes", "registries:read"]]) {
        const res = await runCli(args, { env: lockedEnv });
        expect(res.code).toBe(1);
        expect(res.stdout).toBe("");
        expect(res.stderr).toContain(`in use by another Berth process (pid ${sleeper.pid})`);
        expect(res.stderr).toContain(lockedDir);
      }
      expect(fs.readFileSync(path.join(lockedDir, "berth.lock"), "utf8")).toBe(String(sleeper.pid)); // not taken over
      expect(fs.existsSync(path.join(lockedDir, "pglite"))).toBe(false); // the database was not opened

      // Once that process is gone, the stale lock is taken over.
      const exited = new Promise((r) => sleeper!.once("exit", r));
      sleeper.kill("SIGKILL");
      await exited;
      const res = await runCli(["db", "migrate"], { env: lockedEnv });
      expect(res.code, res.stderr).toBe(0);
      expect(fs.existsSync(path.join(lockedDir, "berth.lock"))).toBe(false); // released on exit
    },
    SLOW,
  );
});
