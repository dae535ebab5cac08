import { performance } from "node:perf_hooks";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "@/db";
import { rateEvents } from "@/db/schema";
import { PEER_HEADER } from "@/lib/client-address";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { insertUser } from "@/lib/auth/users";
import { SIGNIN_MAX_PER_ACCOUNT, SIGNIN_MAX_PER_ADDRESS, SIGNIN_WINDOW_MS, checkCredentials } from "./sign-in";

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
const from = (peer: string) => new Headers({ [PEER_HEADER]: peer });

describe("checkCredentials", () => {
  it("the right password signs in; a wrong email and a wrong password give the same answer", async () => {
    const { user, peer } = await fresh();
    const ok = await checkCredentials(user.email.toUpperCase(), PASSWORD, from(peer));
    expect(ok).toEqual({ ok: true, user: { id: user.id, email: user.email, name: "", sessionVersion: 0 } });
    const wrongPassword = await checkCredentials(user.email, "wrong-password", from(peer));
    const wrongEmail = await checkCredentials(`nobody-${n}@example.test`, PASSWORD, from(peer));
    expect(wrongPassword).toEqual({ ok: false, reason: "invalid" });
    expect(wrongEmail).toEqual(wrongPassword);
    expect(await checkCredentials("", "", from(peer))).toEqual(wrongPassword);
  });

  it(`after ${SIGNIN_MAX_PER_ACCOUNT} failures for an account, the next attempt is throttled even with the right password`, async () => {
    const { user, peer } = await fresh();
    for (let i = 0; i < SIGNIN_MAX_PER_ACCOUNT; i++) {
      // Failures from different addresses still count for the account (and case does not matter).
      expect(await checkCredentials(i % 2 ? user.email.toUpperCase() : user.email, `wrong-${i}`, from(`192.0.2.${10 + i}`))).toEqual({ ok: false, reason: "invalid" });
    }
    const sixth = await checkCredentials(user.email, PASSWORD, from(peer));
    expect(sixth).toMatchObject({ ok: false, reason: "throttled" });
    expect(sixth.ok === false && sixth.retryAfterSeconds).toBeGreaterThan(0);
    expect(sixth.ok === false && sixth.retryAfterSeconds).toBeLessThanOrEqual(SIGNIN_WINDOW_MS / 1000);
    // Another account from the same address is unaffected.
    const other = await fresh();
    expect((await checkCredentials(other.user.email, PASSWORD, from(peer))).ok).toBe(true);
  });

  it("a success clears the account's failures", async () => {
    const { user, peer } = await fresh();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < SIGNIN_MAX_PER_ACCOUNT - 1; i++) await checkCredentials(user.email, "wrong", from(peer));
      expect((await checkCredentials(user.email, PASSWORD, from(peer))).ok).toBe(true);
    }
    // Only the failures count against the address, not the successes.
    const byAddress = await t.db
      .select()
      .from(rateEvents)
      .where(and(eq(rateEvents.bucket, "signin-fail-address"), eq(rateEvents.subject, peer)));
    expect(byAddress).toHaveLength(2 * (SIGNIN_MAX_PER_ACCOUNT - 1));
  });

  it(`after ${SIGNIN_MAX_PER_ADDRESS} failures from an address, every attempt from it is throttled`, async () => {
    const victim = await fresh();
    const peer = "192.0.2.77";
    for (let i = 0; i < SIGNIN_MAX_PER_ADDRESS; i++) {
      expect(await checkCredentials(`spray-${i}@example.test`, "guess", from(peer))).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await checkCredentials(victim.user.email, PASSWORD, from(peer))).toMatchObject({ ok: false, reason: "throttled" });
    // The same account from elsewhere is fine: the account itself has no failures.
    expect((await checkCredentials(victim.user.email, PASSWORD, from(victim.peer))).ok).toBe(true);
  });

  it("concurrent guesses cannot slip past the account limit", async () => {
    const { user } = await fresh();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => checkCredentials(user.email, `parallel-${i}`, from(`203.0.113.${100 + i}`))));
    const invalid = results.filter((r) => !r.ok && r.reason === "invalid").length;
    expect(invalid).toBeLessThanOrEqual(SIGNIN_MAX_PER_ACCOUNT);
    expect(results.filter((r) => !r.ok && r.reason === "throttled").length).toBe(12 - invalid);
    expect(await checkCredentials(user.email, PASSWORD, from("203.0.113.200"))).toMatchObject({ ok: false, reason: "throttled" });
  });

  it("failures are rows in PostgreSQL, shared by every connection (so by every instance)", async () => {
    const { user, peer } = await fresh();
    for (let i = 0; i < SIGNIN_MAX_PER_ACCOUNT; i++) await checkCredentials(user.email, "wrong", from(peer));

    // What makes the limit shared: the failures live in the rate_events table.
    const rows = await t.db
      .select()
      .from(rateEvents)
      .where(and(eq(rateEvents.bucket, "signin-fail-account"), eq(rateEvents.subject, user.email)));
    expect(rows).toHaveLength(SIGNIN_MAX_PER_ACCOUNT);
    const byAddress = await t.db
      .select()
      .from(rateEvents)
      .where(and(eq(rateEvents.bucket, "signin-fail-address"), eq(rateEvents.subject, peer)));
    expect(byAddress).toHaveLength(SIGNIN_MAX_PER_ACCOUNT);

    if (t.kind === "postgres") {
      // A second, independent connection pool to the same database (another instance) sees them.
      const second = await openDb({ databaseUrl: t.url });
      const g = globalThis as unknown as { berthDb?: Promise<unknown> };
      const first = g.berthDb;
      try {
        g.berthDb = Promise.resolve({ db: second.db, kind: "postgres", close: async () => {} });
        expect(await checkCredentials(user.email, PASSWORD, from("192.0.2.200"))).toMatchObject({ ok: false, reason: "throttled" });
        // …and failures recorded there count here.
        const other = await fresh();
        for (let i = 0; i < SIGNIN_MAX_PER_ACCOUNT; i++) await checkCredentials(other.user.email, "wrong", from(other.peer));
        g.berthDb = first;
        expect(await checkCredentials(other.user.email, PASSWORD, from("192.0.2.201"))).toMatchObject({ ok: false, reason: "throttled" });
      } finally {
        g.berthDb = first;
        await second.close();
      }
    } else {
      // PGlite is one process by design (the data-dir lock): the rows above are the shared state.
      expect(t.kind).toBe("pglite");
      expect(await checkCredentials(user.email, PASSWORD, from("192.0.2.200"))).toMatchObject({ ok: false, reason: "throttled" });
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
