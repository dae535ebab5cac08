/**
 * Helpers for the registry API integration tests (`registries*.test.ts`): calls the route
 * handlers as Next would, records every answer and every plaintext secret sent, so that each
 * test file can scan all of its answers for all of its secrets. Test code only.
 */
import { expect } from "vitest";
import type { NextRequest } from "next/server";
import * as seedCollection from "@/app/api/[companyId]/containerRegistryConfig/route";
import * as seedItem from "@/app/api/[companyId]/containerRegistryConfig/[id]/route";
import * as seedValidate from "@/app/api/[companyId]/containerRegistryConfig/validate/route";
import * as v1Item from "@/app/api/v1/companies/[companyId]/registries/[id]/route";
import * as v1Test from "@/app/api/v1/companies/[companyId]/registries/[id]/test/route";
import * as v1PullSecret from "@/app/api/v1/companies/[companyId]/registries/pull-secret/route";
import * as v1Resolve from "@/app/api/v1/companies/[companyId]/registries/resolve/route";
import * as v1Collection from "@/app/api/v1/companies/[companyId]/registries/route";
import * as v1Validate from "@/app/api/v1/companies/[companyId]/registries/validate/route";
import { PROBLEM_BASE } from "@/lib/errors";
import { apiRequest, call } from "@/lib/testing/auth";
import { SECRET_FIELDS } from "./schemas";

export type Auth = { cookie?: string; token?: string; origin?: string | null; peer?: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (req: NextRequest, seg: { params: Promise<any> }) => Promise<Response>;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export const ROUTES = {
  v1: {
    list: v1Collection.GET as Handler,
    create: v1Collection.POST as Handler,
    get: v1Item.GET as Handler,
    put: v1Item.PUT as Handler,
    patch: v1Item.PATCH as Handler,
    delete: v1Item.DELETE as Handler,
    validate: v1Validate.POST as Handler,
    test: v1Test.POST as Handler,
    resolve: v1Resolve.POST as Handler,
    pullSecret: v1PullSecret.POST as Handler,
  },
  seed: {
    list: seedCollection.GET as Handler,
    create: seedCollection.POST as Handler,
    get: seedItem.GET as Handler,
    put: seedItem.PUT as Handler,
    patch: seedItem.PATCH as Handler,
    delete: seedItem.DELETE as Handler,
    validate: seedValidate.POST as Handler,
  },
} as const;

export type Prefix = "v1" | "seed";

export function collectionPath(prefix: Prefix, companyId: string): string {
  return prefix === "v1" ? `/api/v1/companies/${companyId}/registries` : `/api/${companyId}/containerRegistryConfig`;
}

const MIN_SECRET = 6;

/** The plaintext secrets in a request body (typed `credentials.*` or the generic body's `password`/`token`). */
export function secretsIn(body: unknown, into: Set<string>): void {
  if (typeof body === "string") {
    try {
      secretsIn(JSON.parse(body), into);
    } catch {
      // not JSON: nothing to collect
    }
    return;
  }
  if (Array.isArray(body)) {
    for (const v of body) secretsIn(v, into);
    return;
  }
  if (typeof body !== "object" || body === null) return;
  for (const [k, v] of Object.entries(body)) {
    if ((SECRET_FIELDS as readonly string[]).includes(k) && typeof v === "string" && v.trim().length >= MIN_SECRET) into.add(v);
    else secretsIn(v, into);
  }
}

/** The forms a leaked secret could take in a JSON answer or a header. */
export function leakForms(secret: string): string[] {
  const forms = new Set([secret, secret.trim(), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")]);
  // A multi-line secret (a key file, a PEM block, also inside a key file's JSON strings) leaks if
  // any substantial line does.
  for (const line of secret.split(/\r?\n|\\n/)) {
    const l = line.trim();
    if (l.length >= 24) {
      forms.add(l);
      forms.add(JSON.stringify(l).slice(1, -1));
    }
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET);
}

/**
 * One recorder per test file: `send` calls a handler and keeps the answer; `assertNoSecretLeaked`
 * scans every answer (body and headers) for every secret any request carried.
 */
export function createRecorder() {
  const answers: { label: string; text: string }[] = [];
  const secrets = new Set<string>();

  async function send(handler: Handler, method: string, path: string, auth: Auth, params: Record<string, string>, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    secretsIn(body, secrets);
    const res = await call(handler, apiRequest(method, path, auth, body, headers), params);
    const text = await res.text();
    const headerText = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
    answers.push({ label: `${method} ${path} → ${res.status}`, text: `${headerText}\n\n${text}` });
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  function leaks(): string[] {
    const found: string[] = [];
    for (const secret of secrets) {
      const forms = leakForms(secret);
      for (const a of answers) if (forms.some((f) => a.text.includes(f))) found.push(`${a.label} contains a secret (${secret.slice(0, 4)}…)`);
    }
    return found;
  }

  function assertNoSecretLeaked(minAnswers = 1, minSecrets = 1) {
    expect(answers.length).toBeGreaterThanOrEqual(minAnswers);
    expect(secrets.size).toBeGreaterThanOrEqual(minSecrets);
    expect(leaks()).toEqual([]);
  }

  /** A registry API client on one path prefix. */
  function api(prefix: Prefix) {
    const r = ROUTES[prefix];
    return {
      list: (auth: Auth, companyId: string, query = "") => send(r.list, "GET", `${collectionPath(prefix, companyId)}${query ? `?${query}` : ""}`, auth, { companyId }),
      create: (auth: Auth, companyId: string, body: unknown, headers?: Record<string, string>) => send(r.create, "POST", collectionPath(prefix, companyId), auth, { companyId }, body, headers),
      get: (auth: Auth, companyId: string, id: string) => send(r.get, "GET", `${collectionPath(prefix, companyId)}/${id}`, auth, { companyId, id }),
      put: (auth: Auth, companyId: string, id: string, body: unknown, headers?: Record<string, string>) => send(r.put, "PUT", `${collectionPath(prefix, companyId)}/${id}`, auth, { companyId, id }, body, headers),
      patch: (auth: Auth, companyId: string, id: string, body: unknown, headers?: Record<string, string>) => send(r.patch, "PATCH", `${collectionPath(prefix, companyId)}/${id}`, auth, { companyId, id }, body, headers),
      delete: (auth: Auth, companyId: string, id: string, opts: { ifMatch?: string; force?: string } = {}) =>
        send(r.delete, "DELETE", `${collectionPath(prefix, companyId)}/${id}${opts.force !== undefined ? `?force=${opts.force}` : ""}`, auth, { companyId, id }, undefined, opts.ifMatch ? { "if-match": opts.ifMatch } : {}),
      validate: (auth: Auth, companyId: string, body: unknown) => send(r.validate, "POST", `${collectionPath(prefix, companyId)}/validate`, auth, { companyId }, body),
    };
  }

  return { send, api, secrets, answers, leaks, assertNoSecretLeaked };
}
export type Recorder = ReturnType<typeof createRecorder>;

/** An RFC 9457 answer: problem+json with type, title, status, detail and the request id. */
export function expectProblem(a: Answer, status: number, type?: string) {
  expect(a.status, a.text).toBe(status);
  expect(a.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(a.body).toMatchObject({
    type: expect.stringMatching(/^https:\/\/berth\.dev\/problems\/[a-z-]+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    requestId: a.headers.get("x-request-id"),
  });
  expect(a.body.requestId).toBeTruthy();
  if (type) expect(a.body.type).toBe(PROBLEM_BASE + type);
  return a.body as { type: string; title: string; status: number; detail: string; requestId: string; errors?: { path: string; message: string }[] };
}

/** A 400 validation problem whose `errors` name exactly these dotted paths (in any order). */
export function expectFieldErrors(a: Answer, paths: string[]) {
  const p = expectProblem(a, 400, "validation");
  expect(p.errors?.map((e) => e.path).sort()).toEqual([...paths].sort());
  for (const e of p.errors ?? []) expect(e.message).toEqual(expect.any(String));
  return p.errors!;
}

export const NIL_UUID = "00000000-0000-4000-8000-000000000000";
export const MALFORMED_IDS = ["not-a-uuid", "123", "00000000-0000-4000-8000-00000000000", "00000000-0000-4000-8000-0000000000000", "' or 1=1 --", "%00"];
