import { performance } from "node:perf_hooks";
import { verify } from "@node-rs/argon2";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDb } from "@/db";
import { auditEvents, rateEvents } from "@/db/schema";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { insertUser } from "@/lib/auth/users";
import { SIGNIN_MAX_PER_ACCOUNT_ADDRESS, SIGNIN_MAX_PER_ADDRESS, SIGNIN_WINDOW_MS, checkCredentials } from "./sign-in";

// Every argon2 verification is counted (and still performed for real).
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const real = await importOriginal<typeof import("@node-rs/argon2")>();
  return { ...real, verify: vi.fn(real.verify) };
});
const argon2Verifications = () => vi.mocked(verify).mock.calls.length;

let t: TestDb;
beforeAll(async () => {
  t = await useTestDb();
});
afterAll(async () => {
  await t?.close();
});

const PASSWORD = "correct-horse-battery";
let n = 0;
/** A fresh user and a fresh caller address, so tests do not share counters. */
async function fresh() {
  n++;
  const user = await insertUser(t.db, { email: `signin-${n}@example.test`, password: PASSWORD });
  return { user, peer: `198.51.100.${n}` };
}
const from = (peer: string) => new Headers({ [PEER_HEADER]: stampedPeer(peer) });
const M = SIGNIN_MAX_PER_ACCOUNT_ADDRESS;

describe("checkCredentials", () => {
  it("the right password signs in; a wrong email and a wrong password give the same answer", async () => {
    const { user, peer } = await fresh();
    const ok = await checkCredentials(user.email.toUpperCase(), PASSWORD, from(peer));
    expect(ok).toEqual({ ok: true, user: { id: user.id, email: user.email, name: "" } });
    const wrongPassword = await checkCredentials(user.email, "wrong-password", from(peer));
    const wrongEmail = await checkCredentials(`nobody-${n}@example.test`, PASSWORD, from(peer));
    expect(wrongPassword).toEqual({ ok: false, reason: "invalid" });
    expect(wrongEmail).toEqual(wrongPassword);
    expect(await checkCredentials("", "", from(peer)), "empty").toEqual(wrongPassword);
  });

  it(`${M} failures for an account from one address throttle that address only: the owner signs in from another`, async () => {
    const { user, peer } = await fresh();
    const attacker = `192.0.2.${10 + n}`;
    for (let i = 0; i < M; i++) {
      // Case does not matter: both spellings count for the same account.
      expect(await checkCredentials(i % 2 ? user.email.toUpperCase() : user.email, `wrong-${i}`, from(attacker))).toEqual({ ok: false, reason: "invalid" });
    }
    const next = await checkCredentials(user.email, PASSWORD, from(attacker));
    expect(next).toMatchObject({ ok: false, reason: "throttled" });
    expect(next.ok === false && next.retryAfterSeconds).toBeGreaterThan(0);
    expect(next.ok === false && next.retryAfterSeconds).toBeLessThanOrEqual(SIGNIN_WINDOW_MS / 1000);
    // The account is not locked: its owner, elsewhere, signs in with the right password, again and again.
    for (let i = 0; i < 3; i++) expect((await checkCredentials(user.email, PASSWORD, from(peer))).ok).toBe(true);
    // …and the attacker keeps being refused, even after the owner's successes.
    expect(await checkCredentials(user.email, PASSWORD, from(attacker))).toMatchObject({ ok: false, reason: "throttled" });
    // Another account from the attacker's address is unaffected.
    const other = await fresh();
    expect((await checkCredentials(other.user.email, PASSWORD, from(attacker))).ok).toBe(true);
  });

  it("a success clears that address's failures for the account", async () => {
    const { user, peer } = await fresh();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < M - 1; i++) await checkCredentials(user.email, "wrong", from(peer));
      expect((await checkCredentials(user.email, PASSWORD, from(peer))).ok).toBe(true);
    }
    // Only the failures count against the address, not the successes.
    const byAddress = await t.db
      .select()
      .from(rateEvents)
      .where(and(eq(rateEvents.bucket, "signin-fail-address"), eq(rateEvents.subject, peer)));
    expect(byAddress).toHaveLength(2 * (M - 1));
  });

  it(`after ${SIGNIN_MAX_PER_ADDRESS} failures from an address, every attempt from it is throttled`, async () => {
    const victim = await fresh();
    const peer = "192.0.2.77";
    for (let i = 0; i < SIGNIN_MAX_PER_ADDRESS; i++) {
      expect(await checkCredentials(`spray-${i}@example.test`, "guess", from(peer))).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await checkCredentials(victim.user.email, PASSWORD, from(peer))).toMatchObject({ ok: false, reason: "throttled" });
    // The same account from elsewhere is fine.
    expect((await checkCredentials(victim.user.email, PASSWORD, from(victim.peer))).ok).toBe(true);
  });

  it("concurrent guesses from one address cannot slip past the limit", async () => {
    const { user, peer } = await fresh();
    const attacker = "203.0.113.100";
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => checkCredentials(user.email, `parallel-${i}`, from(attacker))));
    const invalid = results.filter((r) => !r.ok && r.reason === "invalid").length;
    expect(invalid).toBeLessThanOrEqual(M);
    expect(results.filter((r) => !r.ok && r.reason === "throttled").length).toBe(12 - invalid);
    expect(await checkCredentials(user.email, PASSWORD, from(attacker))).toMatchObject({ ok: false, reason: "throttled" });
    expect((await checkCredentials(user.email, PASSWORD, from(peer))).ok).toBe(true);
  });

  it("a throttled attempt costs no argon2 hash, and throttling is audited once per window", async () => {
    const { user, peer } = await fresh();
    const attacker = "203.0.113.150";
    const before = argon2Verifications();
    for (let i = 0; i < M; i++) await checkCredentials(user.email, `wrong-${i}`, from(attacker));
    expect(argon2Verifications() - before, "each counted failure is checked").toBe(M);

    const throttledStart = argon2Verifications();
    for (let i = 0; i < 10; i++) expect(await checkCredentials(user.email, i % 2 ? PASSWORD : "guess", from(attacker))).toMatchObject({ ok: false, reason: "throttled" });
    expect(argon2Verifications() - throttledStart, "no hash while throttled").toBe(0);

    const rows = (await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, user.id))).map((r) => r.action);
    expect(rows.filter((a) => a === "auth.sign_in_failed")).toHaveLength(M);
    expect(rows.filter((a) => a === "auth.sign_in_throttled")).toHaveLength(1);
    const [throttled] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.targetId, user.id), eq(auditEvents.action, "auth.sign_in_throttled")));
    expect(throttled).toMatchObject({ ip: attacker, metadata: { email: user.email, scope: "account_address", windowMinutes: SIGNIN_WINDOW_MS / 60_000 } });

    // The owner from elsewhere still costs a real check, as any attempt that is not throttled.
    const ownerStart = argon2Verifications();
    expect((await checkCredentials(user.email, PASSWORD, from(peer))).ok).toBe(true);
    expect(argon2Verifications() - ownerStart).toBe(1);
  });

  it("failures are rows in PostgreSQL, shared by every connection (so by every instance)", async () => {
    const { user, peer } = await fresh();
    for (let i = 0; i < M; i++) await checkCredentials(user.email, "wrong", from(peer));

    // What makes the limit shared: the failures live in the rate_events table.
    const rows = await t.db
      .select()
      .from(rateEvents)
      .where(and(eq(rateEvents.bucket, "signin-fail-account-address"), eq(rateEvents.subject, `${user.email} ${peer}`)));
    expect(rows).toHaveLength(M);
    const byAddress = await t.db
      .select()
      .from(rateEvents)
      .where(and(eq(rateEvents.bucket, "signin-fail-address"), eq(rateEvents.subject, peer)));
    expect(byAddress).toHaveLength(M);

    if (t.kind === "postgres") {
      // A second, independent connection pool to the same database (another instance) sees them.
      const second = await openDb({ databaseUrl: t.url });
      const g = globalThis as unknown as { berthDb?: Promise<unknown> };
      const first = g.berthDb;
      try {
        g.berthDb = Promise.resolve({ db: second.db, kind: "postgres", close: async () => {} });
        expect(await checkCredentials(user.email, PASSWORD, from(peer))).toMatchObject({ ok: false, reason: "throttled" });
        // …and failures recorded there count here.
        const other = await fresh();
        for (let i = 0; i < M; i++) await checkCredentials(other.user.email, "wrong", from(other.peer));
        g.berthDb = first;
        expect(await checkCredentials(other.user.email, PASSWORD, from(other.peer))).toMatchObject({ ok: false, reason: "throttled" });
      } finally {
        g.berthDb = first;
        await second.close();
      }
    } else {
      // PGlite is one process by design (the data-dir lock): the rows above are the shared state.
      expect(t.kind).toBe("pglite");
      expect(await checkCredentials(user.email, PASSWORD, from(peer))).toMatchObject({ ok: false, reason: "throttled" });
    }
  });

  it("a wrong email costs an argon2 verification like a wrong password", async () => {
    const { user, peer } = await fresh();
    await checkCredentials(`warmup-${n}@example.test`, "x", from(peer)); // the dummy hash is made once
    const time = async (email: string) => {
      const start = performance.now();
      await checkCredentials(email, "wrong-password", from(peer));
      return performance.now() - start;
    };
    const wrongEmail = Math.min(await time(`ghost-${n}@example.test`), await time(`ghost2-${n}@example.test`));
    const wrongPassword = Math.min(await time(user.email), await time(user.email));
    // argon2id at 19 MiB takes well over 5 ms in both cases; a skipped hash would be ~1 ms.
    expect(wrongEmail).toBeGreaterThan(5);
    expect(wrongPassword).toBeGreaterThan(5);
    expect(Math.max(wrongEmail, wrongPassword) / Math.min(wrongEmail, wrongPassword)).toBeLessThan(10);
  });
});
