import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appSettings, companies, memberships, users } from "@/db/schema";
import { log } from "@/lib/log";
// Aliased: the React lint rules take any use* call for a hook.
import { useTestDb as installTestDb, type TestDb } from "@/lib/testing/db";
import { withEnv } from "@/lib/testing/identity";
import { checkSetupCode, completeSetup, runFirstRunBootstrap, SETUP_CODE_SIBLING_MS } from "./bootstrap";
import { slugify } from "./schemas";
import { checkCredentials } from "./sign-in";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";

// Every case needs an empty database: each opens its own.
let t: TestDb | undefined;
async function freshDb() {
  t = await installTestDb();
  return t;
}
afterEach(async () => {
  vi.restoreAllMocks();
  await t?.close();
  t = undefined;
});

const NO_ADMIN = { BERTH_ADMIN_EMAIL: undefined, BERTH_ADMIN_PASSWORD: undefined, BERTH_COMPANY_NAME: undefined };
const admin = (email: string, company: string) => ({ BERTH_ADMIN_EMAIL: email, BERTH_ADMIN_PASSWORD: "admin-password-1", BERTH_COMPANY_NAME: company });

async function state(db: TestDb["db"]) {
  return {
    users: await db.select().from(users),
    companies: await db.select().from(companies),
    memberships: await db.select().from(memberships),
    settings: await db.select().from(appSettings),
  };
}

/** Runs the bootstrap without BERTH_ADMIN_* and returns the code from the logged link. */
async function bootstrapForCode(): Promise<string> {
  const warn = vi.spyOn(log, "warn").mockImplementation(() => undefined);
  await withEnv(NO_ADMIN, runFirstRunBootstrap);
  const text = warn.mock.calls.map((c) => c.map(String).join(" ")).join("\n");
  warn.mockRestore();
  const m = /\/setup\?code=([A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no setup link logged: ${text}`);
  return m[1]!;
}

describe("headless bootstrap with BERTH_ADMIN_*", () => {
  it.each([
    ["Acme Corp", "acme-corp"],
    ["acme", "acme"],
  ])("creates the owner and the company %j with slug %j", async (name, slug) => {
    const { db } = await freshDb();
    await withEnv(admin("Admin@Acme.test", name), runFirstRunBootstrap);
    const s = await state(db);
    expect(s.users).toHaveLength(1);
    expect(s.users[0]!.email).toBe("admin@acme.test");
    expect(s.users[0]!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(s.companies).toEqual([expect.objectContaining({ name, slug })]);
    expect(s.memberships).toEqual([expect.objectContaining({ userId: s.users[0]!.id, companyId: s.companies[0]!.id, role: "owner" })]);
    expect(s.settings).toEqual([]); // no setup code once a user exists
    // The password works.
    expect((await checkCredentials("admin@acme.test", "admin-password-1", new Headers({ [PEER_HEADER]: stampedPeer("127.0.0.1") }))).ok).toBe(true);
  });

  it("does nothing once a user exists (a second start, other values)", async () => {
    const { db } = await freshDb();
    await withEnv(admin("first@acme.test", "Acme"), runFirstRunBootstrap);
    const before = await state(db);
    await withEnv(admin("second@acme.test", "Other Co"), runFirstRunBootstrap);
    await withEnv(NO_ADMIN, runFirstRunBootstrap);
    const after = await state(db);
    expect(after.users.map((u) => u.email)).toEqual(["first@acme.test"]);
    expect(after.companies.map((c) => c.slug)).toEqual(before.companies.map((c) => c.slug));
    expect(after.settings).toEqual([]);
  });

  it("half of BERTH_ADMIN_* is a configuration error naming the variables", async () => {
    const { db } = await freshDb();
    await expect(withEnv({ ...NO_ADMIN, BERTH_ADMIN_EMAIL: "a@b.test" }, runFirstRunBootstrap)).rejects.toThrow(/BERTH_ADMIN_PASSWORD and BERTH_COMPANY_NAME go together/);
    expect((await state(db)).users).toEqual([]);
  });
});

describe("slugs", () => {
  it.each([
    ["acme", "acme"],
    ["Acme Corp", "acme-corp"],
    ["Acme Corp!", "acme-corp"],
    ["  ACME -- Labs  ", "acme-labs"],
    ["a.b_c", "a-b-c"],
  ])("%j → %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });
});

describe("first run without BERTH_ADMIN_*: the one-time setup code", () => {
  it("stores only the code's hash and logs the link", async () => {
    const { db } = await freshDb();
    const code = await bootstrapForCode();
    const { settings, users: u } = await state(db);
    expect(u).toEqual([]);
    expect(settings).toHaveLength(1);
    const stored = JSON.parse(settings[0]!.value) as { h: string }[];
    expect(stored.map((c) => c.h)).toEqual([createHash("sha256").update(code).digest("hex")]);
    expect(JSON.stringify(settings)).not.toContain(code);
    expect(await checkSetupCode(code)).toBe(true);
    expect(await checkSetupCode("")).toBe(false);
  });

  it("a wrong code → 403; the right one creates the owner and company once; then it is refused", async () => {
    const { db } = await freshDb();
    const code = await bootstrapForCode();
    const input = { email: "Founder@Example.test", password: "founder-password", companyName: "Founder Co" };

    await expect(completeSetup("wrong-code", input, { requestId: "t" })).rejects.toMatchObject({ status: 403 });
    await expect(completeSetup("", input, { requestId: "t" })).rejects.toMatchObject({ status: 403 });
    expect((await state(db)).users).toEqual([]);

    const created = await completeSetup(code, input, { requestId: "t" });
    expect(created).toMatchObject({ user: { email: "founder@example.test" }, slug: "founder-co" });
    const s = await state(db);
    expect(s.users).toHaveLength(1);
    expect(s.companies).toEqual([expect.objectContaining({ slug: "founder-co", name: "Founder Co" })]);
    expect(s.memberships).toEqual([expect.objectContaining({ role: "owner", userId: created.user.id })]);
    expect(s.settings).toEqual([]); // the code is gone

    await expect(completeSetup(code, { ...input, email: "again@example.test" }, { requestId: "t" })).rejects.toMatchObject({ status: 403 });
    expect((await state(db)).users).toHaveLength(1);
    // A later start does not print a new code.
    const warn = vi.spyOn(log, "warn");
    await withEnv(NO_ADMIN, runFirstRunBootstrap);
    expect(warn).not.toHaveBeenCalled();
    expect((await state(db)).settings).toEqual([]);
  });

  it("a bad setup body → 400 with the fields, and the code still works afterwards", async () => {
    await freshDb();
    const code = await bootstrapForCode();
    await expect(completeSetup(code, { email: "nope", password: "short", companyName: "!!!" }, { requestId: "t" })).rejects.toMatchObject({
      status: 400,
      errors: expect.arrayContaining([expect.objectContaining({ path: "email" }), expect.objectContaining({ path: "password" }), expect.objectContaining({ path: "companyName" })]),
    });
    expect(await checkSetupCode(code)).toBe(true);
  });

  it("a restart replaces the code: the old one no longer works", async () => {
    await freshDb();
    const first = await bootstrapForCode();
    const later = Date.now() + SETUP_CODE_SIBLING_MS + 1000;
    vi.spyOn(Date, "now").mockReturnValue(later);
    const second = await bootstrapForCode();
    expect(second).not.toBe(first);
    expect(await checkSetupCode(first)).toBe(false);
    expect(await checkSetupCode(second)).toBe(true);
  });

  it("instances starting at once on an empty database each print a link that works, and one owner is created", async () => {
    const { db } = await freshDb();
    const warn = vi.spyOn(log, "warn").mockImplementation(() => undefined);
    await Promise.all([1, 2, 3].map(() => withEnv(NO_ADMIN, runFirstRunBootstrap)));
    const codes = warn.mock.calls.map((c) => c.map(String).join(" ").match(/code=([A-Za-z0-9_-]+)/)?.[1]).filter((c): c is string => !!c);
    expect(new Set(codes).size).toBe(3);
    for (const code of codes) expect(await checkSetupCode(code)).toBe(true);
    expect(await checkSetupCode("not-a-printed-code")).toBe(false);
    const input = { email: "first@example.test", password: "founder-password", companyName: "First Co" };
    await completeSetup(codes[1]!, input, { requestId: "t" });
    // Once the owner exists, none of the links works any more.
    for (const code of codes) expect(await checkSetupCode(code)).toBe(false);
    expect((await state(db)).users).toHaveLength(1);
  });

  it("two concurrent setups with the right code create one owner", async () => {
    const { db } = await freshDb();
    const code = await bootstrapForCode();
    const results = await Promise.allSettled(
      ["one", "two"].map((who) => completeSetup(code, { email: `${who}@example.test`, password: "founder-password", companyName: `${who} co` }, { requestId: who })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect([403, 409]).toContain(rejected.reason.status);
    const s = await state(db);
    expect(s.users).toHaveLength(1);
    expect(s.companies).toHaveLength(1);
  });
});
