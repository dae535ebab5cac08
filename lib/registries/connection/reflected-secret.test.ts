/**
 * Issue 16, "a reflected secret survives redaction": registry messages were clipped to 200
 * characters before redaction, so a secret cut at the clip (or quoted with its whitespace
 * changed, JSON-escaped, base64-encoded) reached `lastTest`. A hostile registry on 127.0.0.1
 * echoes the saved registry's secret every way we could think of, in its error bodies, its
 * challenge (realm, service) and a redirect; neither the API answer nor anything stored for the
 * registry (lastTest, history, audit) may hold any 8-character fragment of the secret.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as testSaved } from "@/app/api/v1/companies/[companyId]/registries/[id]/test/route";
import { POST as create } from "@/app/api/v1/companies/[companyId]/registries/route";
import { auditEvents, registries, registryChecks } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { apiRequest, call, seedCompany, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { MIN_FRAGMENT_LENGTH, redact } from "./redact";

const USERNAME = "mallory";
// Distinctive, with a quote and a slash so that JSON escaping changes it.
const SECRET = 'Refl3cted"Secret/9f2c-71ab-e04d-Zq8wXv';
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Every 8-character window of the secret, and of its base64 at the three alignments (ends excluded). */
function fragments(secret: string): string[] {
  const out = new Set<string>();
  const add = (text: string) => {
    for (let i = 0; i + MIN_FRAGMENT_LENGTH <= text.length; i++) out.add(text.slice(i, i + MIN_FRAGMENT_LENGTH));
  };
  add(secret);
  add(JSON.stringify(secret).slice(1, -1));
  for (const skip of [0, 1, 2]) add(b64(secret.slice(skip)).split("=")[0]!.slice(1, -2));
  add(b64(`${USERNAME}:${secret}`).slice(4, -4));
  return [...out];
}

function leaks(text: string, secret = SECRET): string[] {
  const squeezed = text.replace(/\s+/g, "").replace(/\\[nrt]/g, "").replace(/\\/g, "");
  return fragments(secret).filter((fragment) => text.includes(fragment) || squeezed.includes(fragment.replace(/\\/g, "")));
}

/** The secret with runs of whitespace between its characters, as a re-indented key file has. */
const spaced = (secret: string) => secret.replace(/(.{3})/g, "$1 \n\t ");

type Mode = keyof typeof BODIES | "realm" | "redirect" | "token-echo";
const pad = (n: number) => "x".repeat(n);
const BODIES = {
  // The secret straddling the old 200-character clip, at a few offsets.
  "clip-190": () => `${pad(190)}${SECRET}`,
  "clip-196": () => `${pad(196)}${SECRET}`,
  "clip-199": () => `${pad(199)}${SECRET}`,
  whitespace: () => `${pad(150)}${spaced(SECRET)}`,
  base64: () => `basic ${b64(`${USERNAME}:${SECRET}`)} and ${b64(`x${SECRET}`)} and ${b64(`xy${SECRET}`)}`,
  "half-and-half": () => `first half ${SECRET.slice(0, 18)} … second half ${SECRET.slice(18)}`,
};

describe("a secret echoed by the registry is in no answer and nothing stored", () => {
  let t: TestDb;
  let company: { id: string };
  let owner: { cookie: string };
  let server: LoopbackServer;
  let mode: Mode = "clip-190";
  const saved = process.env.BERTH_TEST_RATE_LIMIT;

  beforeAll(async () => {
    process.env.BERTH_TEST_RATE_LIMIT = "1000";
    resetEnvCache();
    t = await useTestDb();
    const seeded = await seedCompany(t.db);
    company = seeded.company;
    owner = { cookie: await sessionCookie(seeded.owner.id) };
    server = await startHttpServer((req, res, self) => {
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", "Docker-Distribution-API-Version": "registry/2.0", ...headers });
        res.end(JSON.stringify(body));
      };
      if (mode === "realm") {
        if (req.url?.startsWith("/token")) return json(401, { error: "invalid_grant", error_description: `${pad(195)}${SECRET}`, details: SECRET });
        return json(401, { errors: [{ code: "UNAUTHORIZED", message: SECRET }] }, { "WWW-Authenticate": `Bearer realm="http://${self.host}/token/${encodeURIComponent(SECRET)}",service="${SECRET.replace(/"/g, "")}",scope="${SECRET.slice(3, 20)}"` });
      }
      if (mode === "token-echo") {
        if (req.url?.startsWith("/token")) return json(400, { error: "invalid_grant", error_description: `${pad(198)}${spaced(SECRET)}` });
        return json(401, {}, { "WWW-Authenticate": `Bearer realm="http://${self.host}/token",service="echo"` });
      }
      if (!req.headers.authorization) return json(401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }, { "WWW-Authenticate": 'Basic realm="echo"' });
      if (mode === "redirect") {
        res.writeHead(302, { Location: `http://127.0.0.1:1/${encodeURIComponent(SECRET)}/${SECRET.slice(5, 25)}` });
        return res.end();
      }
      json(403, { errors: [{ code: "DENIED", message: BODIES[mode]() }] });
    });
  });

  afterAll(async () => {
    await server?.stop();
    await t?.close();
    if (saved === undefined) delete process.env.BERTH_TEST_RATE_LIMIT;
    else process.env.BERTH_TEST_RATE_LIMIT = saved;
    resetEnvCache();
  });

  const modes: Mode[] = [...(Object.keys(BODIES) as Mode[]), "realm", "token-echo", "redirect"];

  it.each(modes)("%s", async (which) => {
    mode = which;
    const created = await call(
      create,
      apiRequest("POST", `/api/v1/companies/${company.id}/registries`, owner, { name: `Echo ${which}`, type: "custom", credentials: { url: `http://${server.host}/${which}`, username: USERNAME, password: SECRET } }),
      { companyId: company.id },
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const tested = await call(testSaved, apiRequest("POST", `/api/v1/companies/${company.id}/registries/${id}/test`, owner), { companyId: company.id, id });
    const answer = await tested.text();
    expect(tested.status, answer).toBe(200);
    expect((JSON.parse(answer) as { ok: boolean }).ok).toBe(false);
    const [row] = await t.db.select().from(registries).where(eq(registries.id, id));
    const stored = { ...row!, secretBlob: null }; // the ciphertext is the one column allowed to hold it
    expect(stored.lastTestMessage, "a lastTest was stored").toBeTruthy();
    const checks = await t.db.select().from(registryChecks).where(eq(registryChecks.registryId, id));
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));
    expect(leaks(answer), answer).toEqual([]);
    expect(leaks(JSON.stringify(stored)), JSON.stringify(stored)).toEqual([]);
    expect(leaks(JSON.stringify(checks))).toEqual([]);
    expect(leaks(JSON.stringify(audit))).toEqual([]);
  });
});

describe("redact", () => {
  const secrets = [SECRET, b64(`${USERNAME}:${SECRET}`)];

  it.each([
    ["cut at the end", `…${SECRET.slice(0, 12)}`],
    ["cut at the start", `${SECRET.slice(-9)} and more`],
    ["a middle piece", `see ${SECRET.slice(7, 16)} here`],
    ["with whitespace runs", spaced(SECRET)],
    ["JSON-escaped", JSON.stringify({ m: SECRET })],
    ["JSON-escaped with escaped newlines", JSON.stringify({ m: spaced(SECRET) })],
    ["base64, shifted by one", b64(`a${SECRET}`)],
    ["base64, shifted by two", b64(`ab${SECRET}`)],
    ["URL-encoded", encodeURIComponent(SECRET)],
  ])("removes the secret %s", (_why, text) => {
    const out = redact(text, secrets);
    expect(out).toContain("[redacted]");
    expect(leaks(out)).toEqual([]);
  });

  it("leaves text without 8 characters of the secret alone", () => {
    expect(redact("Sign-in: GET /v2/ answered 403 (DENIED). Check the account.", secrets)).toBe("Sign-in: GET /v2/ answered 403 (DENIED). Check the account.");
    expect(redact(`only ${SECRET.slice(0, 7)}`, secrets)).toBe(`only ${SECRET.slice(0, 7)}`);
  });

  it("redacts a key file by its values, not by its field names or PEM armour", () => {
    const key = JSON.stringify({ type: "service_account", client_email: "ci@proj.iam.gserviceaccount.com", private_key_id: "0123456789abcdef0123", private_key: "-----BEGIN PRIVATE KEY-----\nQmVydGggdGVzdCBmaXh0dXJlOiBub3Qg\nYSByZWFsIHByaXZhdGUga2V5Lg==\n-----END PRIVATE KEY-----\n" }, null, 2);
    const message = "The key's private_key must be a PEM private key (-----BEGIN PRIVATE KEY-----) of a service_account";
    expect(redact(message, [key])).toBe(message);
    const reflected = redact(`echo: ${JSON.stringify(JSON.parse(key))} and QmVydGggdGVzdCBm aXh0dXJl`, [key]);
    expect(reflected).not.toContain("QmVydGggdGVzdCBm");
    expect(reflected).not.toContain("aXh0dXJl");
    expect(reflected).not.toContain("0123456789abcdef");
  });
});
