import { companyRoute } from "@/lib/api-route";
import { json, readJson, otherMethods } from "@/lib/http";
import { importDockerConfig } from "@/lib/registries/import-docker-config";

export const dynamic = "force-dynamic";

/** `POST …/registries/import`: one registry per `auths` entry of a Docker config; `dryRun` writes nothing. */
export const POST = companyRoute({ permission: "registries:write" }, async (req, { ctx }) =>
  json(await importDockerConfig(ctx, await readJson(req)), { headers: { "Cache-Control": "no-store" } }),
);

export const { GET, PUT, PATCH, DELETE, HEAD } = otherMethods("OPTIONS, POST");
