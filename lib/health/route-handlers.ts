import "server-only";
import { z } from "zod";
import { companyRoute } from "@/lib/api-route";
import { validationError, zodErrors } from "@/lib/errors";
import { json, readJson } from "@/lib/http";
import { listRegistryChecks } from "./checks-service";
import { getHealthCheckSettings, setHealthCheckSettings } from "./settings";

/** The query of `GET …/registries/{id}/checks` (also documented from this schema). */
export const listChecksQuerySchema = z.object({
  limit: z.coerce.number({ error: "Must be a number" }).int({ error: "Must be a whole number" }).min(1, { error: "Must be from 1 to 100" }).max(100, { error: "Must be from 1 to 100" }).default(100),
  "pagination.token": z.string().max(500).optional(),
});

/** `GET …/registries/{id}/checks`: the registry's checks, newest first; what `get` needs. */
export const listChecksRoute = companyRoute<{ companyId: string; id: string }>({ permission: "registries:list" }, async (req, { ctx, params }) => {
  const parsed = listChecksQuerySchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  return json(await listRegistryChecks(ctx, params.id, { limit: parsed.data.limit, pageToken: parsed.data["pagination.token"] }), { headers: { "Cache-Control": "no-store" } });
});

/** `GET|PATCH …/companies/{companyId}/health-checks`: the company's check interval (owners and admins, sessions only). */
export const getHealthChecksRoute = companyRoute({ permission: "company:admin" }, async (_req, { ctx }) => json(await getHealthCheckSettings(ctx)));
export const patchHealthChecksRoute = companyRoute({ permission: "company:admin" }, async (req, { ctx }) => json(await setHealthCheckSettings(ctx, await readJson(req))));
