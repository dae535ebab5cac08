import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companies, registries, registryTokens, users, userTotp } from "@/db/schema";
import { createTestDb, type TestDb } from "@/lib/testing/db";
import { decryptBoundValue, decryptSecrets, encryptBoundValue, encryptSecrets, totpSecretContext } from "./cipher";
import { generateKeySpec, parseKeyring } from "./keyring";
import { assertKeysAvailable, rotateKeys } from "./rotate";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe("key rotation", () => {
  it("re-encrypts every row with the active key, in batches, keeping the plaintext", async () => {
    const oldSpec = generateKeySpec("old");
    const oldRing = parseKeyring(oldSpec);
    const [company] = await t.db.insert(companies).values({ slug: "rot", name: "rot" }).returning();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = crypto.randomUUID();
      ids.push(id);
      const binding = { companyId: company!.id, registryId: id };
      await t.db.insert(registries).values({
        id,
        companyId: company!.id,
        type: "custom",
        name: `r${i}`,
        url: `reg${i}.example.test`,
        secretFields: ["password"],
        secretBlob: encryptSecrets(oldRing, { password: `pw-${i}` }, binding),
        keyId: "old",
      });
    }

    const newRing = parseKeyring(`${generateKeySpec("new")},${oldSpec}`);
    await expect(assertKeysAvailable(t.db, parseKeyring(generateKeySpec("new")))).rejects.toThrow(/"old"/);
    await assertKeysAvailable(t.db, newRing);

    const { rotated } = await rotateKeys(t.db, newRing, { batchSize: 3 });
    expect(rotated).toBe(7);
    const rows = await t.db.select().from(registries).where(eq(registries.companyId, company!.id));
    for (const row of rows) {
      expect(row.keyId).toBe("new");
      expect(row.secretBlob!.startsWith("v1.new.")).toBe(true);
      const i = ids.indexOf(row.id);
      expect(decryptSecrets(newRing, row.secretBlob!, { companyId: company!.id, registryId: row.id })).toEqual({ password: `pw-${i}` });
    }
    // Cached exchanged passwords (ECR) under the old key are dropped, not rewritten: they are a cache.
    const [cachedFor] = ids;
    await t.db.insert(registryTokens).values({ registryId: cachedFor!, companyId: company!.id, registryHost: "127.0.0.1:5000", expiresAt: new Date(Date.now() + 3600_000), blob: encryptBoundValue(oldRing, "{}", "registry-token/x"), keyId: "old" });
    await rotateKeys(t.db, newRing);
    expect(await t.db.select().from(registryTokens)).toEqual([]);
    // Once rotated, the old key can be dropped.
    await assertKeysAvailable(t.db, parseKeyring(`new:${newRing.active.key.toString("base64")}`));
    expect((await rotateKeys(t.db, newRing)).rotated).toBe(0);
  });

  it("re-encrypts users' TOTP secrets too, and the start-up check names a missing key", async () => {
    await t.db.delete(registries); // the first test's rows, under keys this one does not know
    const oldSpec = generateKeySpec("old2");
    const oldRing = parseKeyring(oldSpec);
    const [user] = await t.db.insert(users).values({ email: "totp-rotate@example.test" }).returning();
    const context = totpSecretContext(user!.id);
    await t.db.insert(userTotp).values({ userId: user!.id, secretBlob: encryptBoundValue(oldRing, "JBSWY3DPEHPK3PXP", context), keyId: "old2", confirmedAt: new Date() });
    const newRing = parseKeyring(`${generateKeySpec("new2")},${oldSpec}`);
    await expect(assertKeysAvailable(t.db, parseKeyring(generateKeySpec("new2")))).rejects.toThrow(/Two-factor secrets .*"old2"/);
    expect((await rotateKeys(t.db, newRing)).rotated).toBeGreaterThanOrEqual(1);
    const [row] = await t.db.select().from(userTotp).where(eq(userTotp.userId, user!.id));
    expect(row!.keyId).toBe("new2");
    expect(decryptBoundValue(newRing, row!.secretBlob, context)).toBe("JBSWY3DPEHPK3PXP");
    // Bound to the user: the blob does not open as another user's.
    expect(() => decryptBoundValue(newRing, row!.secretBlob, totpSecretContext(crypto.randomUUID()))).toThrow(/authentication/);
  });
});
