/**
 * The events that come from elsewhere in Berth, end to end: checks against a real htpasswd
 * `docker-registry` (its password changed to make them fail, then restored) send
 * `registry.check_failed` after two failures in a row and `registry.recovered` after the next
 * success, and a pull secret sends `registry.pull_secret_issued`, each to a local receiver that
 * verifies the signature, with the registry's health in the body and never a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NextRequest } from "next/server";
import * as collection from "@/app/api/v1/companies/[companyId]/webhooks/route";
import { POST as pullSecret } from "@/app/api/v1/companies/[companyId]/registries/pull-secret/route";
import { POST as testSaved } from "@/app/api/v1/companies/[companyId]/registries/[id]/test/route";
import { POST as create } from "@/app/api/v1/companies/[companyId]/registries/route";
import { resetEnvCache } from "@/lib/env";
import { apiRequest, call } from "@/lib/testing/auth";
import { seedTeam, type Team } from "@/lib/testing/identity";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { setHtpasswdUsers, skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { settleDeliveries } from "./delivery";

const PASSWORD = "events-Distinctive-Secret-7731";
const WRONG = "events-Rotated-Secret-1190";
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (req: NextRequest, seg: { params: Promise<any> }) => Promise<Response>;

describe.skipIf(skipWithoutRegistryTools())("registry events to webhooks", () => {
  let t: TestDb;
  let registry: RunningRegistry;
  let receiver: WebhookReceiver;
  let team: Team;
  let secret: string;
  const saved = { limit: process.env.BERTH_TEST_RATE_LIMIT };
  const owner = () => ({ cookie: team.users.owner.cookie });

  async function send(handler: Handler, method: string, path: string, params: Record<string, string>, body?: unknown) {
    const res = await call(handler, apiRequest(method, path, owner(), body), params);
    const text = await res.text();
    return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as Json };
  }
  const base = () => `/api/v1/companies/${team.company.id}/registries`;
  const testIt = async (id: string) => (await send(testSaved as Handler, "POST", `${base()}/${id}/test`, { companyId: team.company.id, id })).body.status;
  const bodies = (type: string) =>
    receiver.received.filter((r) => r.headers["berth-event"] === type).map((r) => {
      expect(receiver.verified(secret, r), `signature of ${type}`).toBe(true);
      expect(r.body).not.toContain(PASSWORD);
      expect(r.body).not.toContain(WRONG);
      return JSON.parse(r.body) as Json;
    });

  beforeAll(async () => {
    process.env.BERTH_TEST_RATE_LIMIT = "1000";
    resetEnvCache();
    t = await useTestDb();
    team = await seedTeam(t.db);
    registry = await startRegistry({ auth: { type: "htpasswd", users: { alice: PASSWORD } } });
    receiver = await startWebhookReceiver();
    const hook = await send(collection.POST as Handler, "POST", `/api/v1/companies/${team.company.id}/webhooks`, { companyId: team.company.id }, {
      url: receiver.url,
      events: ["registry.check_failed", "registry.recovered", "registry.pull_secret_issued"],
    });
    expect(hook.status, hook.text).toBe(201);
    secret = hook.body.secret;
  });

  afterAll(async () => {
    process.env.BERTH_TEST_RATE_LIMIT = saved.limit;
    resetEnvCache();
    await settleDeliveries();
    await receiver?.close();
    await registry?.stop();
    await t?.close();
  });

  it("check_failed after two failed checks, recovered after one success, with the health at that moment", async () => {
    const created = await send(create as Handler, "POST", base(), { companyId: team.company.id }, {
      name: "Watched",
      type: "custom",
      credentials: { url: `http://${registry.host}/watched`, username: "alice", password: PASSWORD },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    expect(await testIt(id)).toBe("success");

    setHtpasswdUsers(registry, { alice: WRONG });
    expect(await testIt(id)).toBe("invalid_credentials");
    await settleDeliveries();
    expect(bodies("registry.check_failed")).toHaveLength(0); // one blip is not an outage
    expect(await testIt(id)).toBe("invalid_credentials");
    await receiver.waitFor(1);
    const [failed] = bodies("registry.check_failed");
    expect(failed).toMatchObject({
      type: "registry.check_failed",
      company: { id: team.company.id },
      registry: { id, name: "Watched", type: "custom", health: { status: "failing", since: expect.any(String) } },
      data: { status: "invalid_credentials", stage: "auth", trigger: "user", consecutiveFailures: 2 },
    });
    // A third failure is the same outage: no second event.
    expect(await testIt(id)).toBe("invalid_credentials");
    await settleDeliveries();
    expect(bodies("registry.check_failed")).toHaveLength(1);

    setHtpasswdUsers(registry, { alice: PASSWORD });
    expect(await testIt(id)).toBe("success");
    await receiver.waitFor(2);
    const [recovered] = bodies("registry.recovered");
    expect(recovered).toMatchObject({ type: "registry.recovered", registry: { id, health: { status: "healthy" } }, data: { status: "success" } });
  });

  it("a pull secret sends registry.pull_secret_issued per registry: format, client and who, never the secret", async () => {
    const before = receiver.received.length;
    const res = await send(pullSecret as Handler, "POST", `${base()}/pull-secret`, { companyId: team.company.id }, { hosts: [registry.host], format: "docker-login" });
    expect(res.status, res.text).toBe(200);
    await receiver.waitFor(before + 1);
    const [issued] = bodies("registry.pull_secret_issued");
    expect(issued).toMatchObject({
      type: "registry.pull_secret_issued",
      registry: { name: "Watched", health: { status: "healthy" } },
      data: { format: "docker-login", client: "api", via: "session", actor: { userId: team.users.owner.id, tokenId: null } },
    });
  });
});
