import "server-only";
import { z } from "zod";
import type { NextRequest } from "next/server";
import { companyRoute } from "@/lib/api-route";
import { validationError, zodErrors } from "@/lib/errors";
import { json, readJson } from "@/lib/http";
import { HEALTH_STATUSES } from "@/lib/health/health";
import type { RegistryDto } from "./dto";
import { createRegistry, deleteRegistry, etagOf, getRegistry, listRegistries, replaceRegistry, updateRegistry } from "./service";
import { testSavedRegistry, validateRegistryInput } from "./connection-service";
import { issuePullSecret } from "./pull-secrets/issue";
import { resolveImage } from "./resolve";
import { clientFromUserAgent, listRegistryUses } from "./usage";

/**
 * The registry route handlers, shared by the v1 paths and the compatible
 * /api/{companyId}/containerRegistryConfig paths. Thin: parse, call the service, map.
 */
/** The list's query parameters (also documented from this schema in the OpenAPI document). */
export const listRegistriesQuerySchema = z.object({
  "filter.name": z
    .string()
    .max(100, { error: "At most 100 characters" })
    .refine((v) => !v.includes("\u0000"), { error: "Must not contain NUL characters" })
    .optional(),
  "filter.type": z.string().optional(),
  "filter.health": z.enum(HEALTH_STATUSES, { error: `Must be one of ${HEALTH_STATUSES.join(", ")}` }).optional(),
  limit: z.coerce.number({ error: "Must be a number" }).int({ error: "Must be a whole number" }).min(1, { error: "Must be from 1 to 100" }).max(100, { error: "Must be from 1 to 100" }).default(100),
  "pagination.token": z.string().max(500).optional(),
});

type IdParams = { companyId: string; id: string };

function withEtag(dto: RegistryDto, init: ResponseInit = {}) {
  const res = json(dto, init);
  res.headers.set("ETag", etagOf(dto));
  return res;
}

export const listRegistriesRoute = companyRoute({ permission: "registries:list" }, async (req: NextRequest, { ctx }) => {
  const parsed = listRegistriesQuerySchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const q = parsed.data;
  return json(await listRegistries(ctx, { name: q["filter.name"], type: q["filter.type"], health: q["filter.health"], limit: q.limit, pageToken: q["pagination.token"] }));
});

export function createRegistryRoute(locationBase: (companyId: string) => string) {
  return companyRoute({ permission: "registries:write" }, async (req, { ctx }) => {
    const dto = await createRegistry(ctx, await readJson(req));
    return withEtag(dto, { status: 201, headers: { Location: `${locationBase(ctx.companyId)}/${dto.id}` } });
  });
}

export const getRegistryRoute = companyRoute<IdParams>({ permission: "registries:list" }, async (_req, { ctx, params }) => withEtag(await getRegistry(ctx, params.id)));

export const replaceRegistryRoute = companyRoute<IdParams>({ permission: "registries:write" }, async (req, { ctx, params }) =>
  withEtag(await replaceRegistry(ctx, params.id, await readJson(req), req.headers.get("if-match"))),
);

export const patchRegistryRoute = companyRoute<IdParams>({ permission: "registries:write" }, async (req, { ctx, params }) =>
  withEtag(await updateRegistry(ctx, params.id, await readJson(req), req.headers.get("if-match"))),
);

export const deleteRegistryRoute = companyRoute<IdParams>({ permission: "registries:delete" }, async (req, { ctx, params }) => {
  const force = req.nextUrl.searchParams.get("force");
  if (force !== null && force !== "true" && force !== "false") throw validationError([{ path: "force", message: "Must be true or false" }]);
  await deleteRegistry(ctx, params.id, { force: force === "true", ifMatch: req.headers.get("if-match") });
  return new Response(null, { status: 204 });
});

/** A Test Connection result: 200 whatever the outcome, never cached. */
function testAnswer(result: unknown) {
  return json(result, { headers: { "Cache-Control": "no-store" } });
}

/**
 * `POST …/registries/validate` (and the compatible `…/containerRegistryConfig/validate`): Test
 * Connection on unsaved input. `req.signal` aborts the test when the client goes away.
 */
export const validateRegistryRoute = companyRoute({ permission: "registries:validate" }, async (req, { ctx }) =>
  testAnswer(await validateRegistryInput(ctx, () => readJson(req), req.signal)),
);

/**
 * The test body is optional: a request without a body (and without a Content-Type) tests the
 * saved values; a body must be JSON like any other.
 */
async function readOptionalJson(req: NextRequest): Promise<unknown> {
  const empty = req.body === null || req.headers.get("content-length") === "0";
  if (!req.headers.get("content-type") && empty) return undefined;
  return readJson(req); // 415 without a JSON Content-Type, 413 over 64 KiB, 400 for bad JSON
}

/** `POST …/registries/{id}/test`: Test Connection on the saved registry, with optional overrides. */
export const testRegistryRoute = companyRoute<IdParams>({ permission: "registries:test" }, async (req, { ctx, params }) =>
  testAnswer(await testSavedRegistry(ctx, params.id, () => readOptionalJson(req), req.signal)),
);

// ---------------------------------------------------------------------------
// Using credentials: resolve, pull secrets, and the uses they record.

/** Answers that name or hold credentials are never stored by a cache. */
const NO_STORE = { "Cache-Control": "no-store" };

/** The client helpers say who they are in `User-Agent`; anything else is a plain API client. */
function useMetaOf(req: NextRequest, ctx: { ip: string | null }) {
  const userAgent = req.headers.get("user-agent");
  return { client: clientFromUserAgent(userAgent), userAgent, ip: ctx.ip };
}

/** `POST …/registries/resolve` `{image}` → `{registry}`. */
export const resolveRegistryRoute = companyRoute({ permission: "registries:list" }, async (req, { ctx }) =>
  json(await resolveImage(ctx, await readJson(req), useMetaOf(req, ctx)), { headers: NO_STORE }),
);

/** `POST …/registries/pull-secret`: the credentials themselves, in the requested format. */
export const pullSecretRoute = companyRoute({ permission: "registries:pull" }, async (req, { ctx }) =>
  json(await issuePullSecret(ctx, await readJson(req), useMetaOf(req, ctx)), { headers: NO_STORE }),
);

export const listRegistryUsesQuerySchema = z.object({
  limit: z.coerce.number({ error: "Must be a number" }).int({ error: "Must be a whole number" }).min(1, { error: "Must be from 1 to 100" }).max(100, { error: "Must be from 1 to 100" }).default(50),
  "pagination.token": z.string().max(100).optional(),
});

/** `GET …/registries/{id}/uses`: the registry's recent uses, newest first. */
export const listRegistryUsesRoute = companyRoute<IdParams>({ permission: "registries:list" }, async (req, { ctx, params }) => {
  const parsed = listRegistryUsesQuerySchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  return json(await listRegistryUses(ctx, params.id, { limit: parsed.data.limit, pageToken: parsed.data["pagination.token"] }));
});
