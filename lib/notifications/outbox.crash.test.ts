/**
 * The outbox keeps events when the process dies between the change and the send: a child
 * process creates a registry (the change and its delivery commit together) and is SIGKILLed
 * while its delivery is on the wire (the receiver holds the request); a runner in this process
 * then delivers the event, signed, with the same delivery id. On PostgreSQL (DATABASE_URL) and on
 * an embedded PGlite data directory (whose lock of the dead process is taken over).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDb, type Db } from "@/db";
import { releaseDataDir } from "@/db/data-dir";
import { migrateDatabase } from "@/db/migrate";
import { webhookDeliveries } from "@/db/schema";
import { seedCompany } from "@/lib/testing/auth";
import { createTestDb, type TestDb } from "@/lib/testing/db";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { generateSigningSecret } from "./signing";
import { sealWebhookSecret } from "./secret";
import { webhooks } from "@/db/schema";
import { deliverDueWebhooks, LEASE_MS } from "./delivery";

let receiver: WebhookReceiver;
let pg: TestDb | undefined;
let dataDir: string | undefined;
let child: ChildProcess | undefined;

async function open(): Promise<{ db: Db; close: () => Promise<void> }> {
  if (pg) return { db: pg.db, close: async () => {} };
  const handle = await openDb({ databaseUrl: "", dataDir: dataDir! });
  return {
    db: handle.db,
    close: async () => {
      await handle.close();
      releaseDataDir(dataDir!); // the child opens it next
    },
  };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  if (process.env.DATABASE_URL) pg = await createTestDb();
  else {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "berth-outbox-"));
    const h = await openDb({ databaseUrl: "", dataDir });
    await migrateDatabase({ db: h.db });
    await h.close();
    releaseDataDir(dataDir);
  }
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await receiver?.close();
  await pg?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it("a delivery interrupted by SIGKILL after the commit is delivered by the next runner", async () => {
  const secret = generateSigningSecret();
  let seeded = await open();
  const { owner, company } = await seedCompany(seeded.db);
  const id = crypto.randomUUID();
  await seeded.db.insert(webhooks).values({ id, companyId: company.id, url: receiver.url, events: ["registry.created"], ...sealWebhookSecret(secret, { companyId: company.id, id }) });
  await seeded.close();

  receiver.state.hang = true;
  const env: NodeJS.ProcessEnv = pg ? { ...process.env, DATABASE_URL: pg.url } : { ...process.env, DATABASE_URL: "", BERTH_DATA_DIR: dataDir };
  // node itself (with tsx as a loader), not the tsx CLI, which would run it in a grandchild that SIGKILL would miss.
  child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/testing/outbox-child.ts", company.id, owner.id], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child!.on("exit", () => resolve()));
  await receiver.waitFor(1, 60_000).catch((e: Error) => {
    throw new Error(`${e.message}; child stderr: ${err}`);
  });
  expect(out).toContain("registryId");
  child.kill("SIGKILL");
  await exited;
  receiver.state.hang = false;
  const interrupted = receiver.received[0]!;

  seeded = await open();
  try {
    const [pending] = await seeded.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.companyId, company.id));
    expect(pending).toMatchObject({ status: "pending", attempts: 1, responseCode: null });
    // Until the dead sender's lease ends nobody sends it again; then the next runner does.
    expect((await deliverDueWebhooks(seeded.db, { now: new Date() })).attempted).toBe(0);
    const later = new Date(Date.now() + LEASE_MS + 1000);
    expect(await deliverDueWebhooks(seeded.db, { now: later })).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(receiver.received).toHaveLength(2);
    const delivered = receiver.received[1]!;
    expect(receiver.verified(secret, delivered)).toBe(true);
    expect(delivered.headers["berth-delivery"]).toBe(interrupted.headers["berth-delivery"]);
    expect(JSON.parse(delivered.body)).toMatchObject({ type: "registry.created", registry: { id: JSON.parse(out.trim()).registryId, name: "Outbox child" } });
    const [done] = await seeded.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.companyId, company.id));
    expect(done).toMatchObject({ status: "succeeded", attempts: 2, responseCode: 200 });
  } finally {
    await seeded.close();
  }
}, 90_000);
