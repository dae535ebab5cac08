/**
 * The OpenAPI 3.1 document of Berth's REST API, generated from the zod schemas
 * the handlers use (`z.toJSONSchema`, JSON Schema draft 2020-12, the input side of each schema),
 * with the registry catalogue's labels, help and required fields added to each registry type.
 * Served without authentication at `GET /api/v1/openapi.json`; rendered at `/docs/api`.
 */
import "server-only";
import * as z from "zod";
import { createTokenSchema, inviteSchema as inviteRequestSchema, updateMemberSchema } from "@/lib/auth/schemas";
import { ERROR_STATUS, ERROR_TITLE, PROBLEM_BASE, type ErrorCode } from "@/lib/errors";
import { MAX_BODY_BYTES } from "@/lib/http";
import { importRequestSchema } from "@/lib/registries/docker-config";
import { listRegistriesQuerySchema } from "@/lib/registries/route-handlers";
import { listChecksQuerySchema } from "@/lib/health/route-handlers";
import { healthCheckSettingsSchema as healthCheckSettingsUpdateSchema } from "@/lib/health/settings";
import { REGISTRY_TYPE_KEYS, REGISTRY_TYPES, createRegistrySchema, patchRegistrySchema, replaceRegistrySchema } from "@/lib/registries/schemas";
import pkg from "@/package.json";
import {
  apiTokenSchema,
  auditPageSchema,
  createdApiTokenSchema,
  createdInviteSchema,
  fieldIssueSchema,
  genericRegistryBodySchema,
  importResultSchema,
  healthCheckSettingsSchema,
  healthSchema,
  inviteSchema,
  itemsOf,
  meSchema,
  memberSchema,
  problemSchema,
  pullSecretRequestSchema,
  pullSecretSchema,
  registryCheckPageSchema,
  registryCheckSchema,
  registryPageSchema,
  registryUsePageSchema,
  registrySchema,
  resolveRequestSchema,
  resolveResultSchema,
  testResultSchema,
  createdWebhookSchema,
  webhookDeliveryPageSchema,
  webhookDeliverySchema,
  webhookSchema,
} from "./schemas";
import { createWebhookSchema, updateWebhookSchema } from "@/lib/notifications/schemas";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const JSON_SCHEMA_OPTIONS = { target: "draft-2020-12", io: "input", unrepresentable: "any" } as const;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

// ---------------------------------------------------------------------------
// Request bodies derived from the handlers' schemas.

type AnyObject = z.ZodObject<z.ZodRawShape>;
const createOptions = (createRegistrySchema as unknown as { options: AnyObject[] }).options;

/** `POST …/validate`: a create body (typed or generic) whose name is optional, plus an image. */
const validateExtras = {
  name: z.string().max(100).optional().meta({ description: "Optional: testing needs no name" }),
  image: z.string().max(1024).optional().meta({ description: "An image (`repository[:tag]` or a full reference) to prove pull access", examples: ["team/app:1.0"] }),
};
const validateTypedSchema = z.discriminatedUnion(
  "type",
  createOptions.map((o) => o.extend(validateExtras)) as unknown as [AnyObject, ...AnyObject[]],
);
const validateRequestSchema = z.union([validateTypedSchema, genericRegistryBodySchema.extend(validateExtras)]);

/** `POST …/{id}/test`: optional overrides of the saved values (a PATCH-like body) and an image. */
const testRequestSchema = (patchRegistrySchema as unknown as AnyObject).extend({
  type: z.enum(REGISTRY_TYPE_KEYS).optional().meta({ description: "If sent, must be the registry's own type" }),
  image: validateExtras.image,
});

const createRequestSchema = z.union([createRegistrySchema as unknown as z.ZodType, genericRegistryBodySchema]);

const COMPONENT_SCHEMAS: Record<string, z.ZodType> = {
  Problem: problemSchema,
  FieldIssue: fieldIssueSchema,
  Registry: registrySchema,
  RegistryPage: registryPageSchema,
  RegistryTypedBody: createRegistrySchema as unknown as z.ZodType,
  GenericRegistryBody: genericRegistryBodySchema,
  RegistryCreate: createRequestSchema,
  RegistryReplace: replaceRegistrySchema as unknown as z.ZodType,
  RegistryPatch: patchRegistrySchema as unknown as z.ZodType,
  RegistryValidate: validateRequestSchema,
  RegistryTestRequest: testRequestSchema,
  TestResult: testResultSchema,
  ResolveRequest: resolveRequestSchema,
  ResolveResult: resolveResultSchema,
  PullSecretRequest: pullSecretRequestSchema,
  PullSecret: pullSecretSchema,
  RegistryUsePage: registryUsePageSchema,
  ImportRequest: importRequestSchema.meta({ title: "ImportRequest" }),
  ImportResult: importResultSchema,
  Me: meSchema,
  ApiToken: apiTokenSchema,
  ApiTokenList: itemsOf(apiTokenSchema, "ApiTokenList"),
  CreatedApiToken: createdApiTokenSchema,
  CreateApiToken: createTokenSchema,
  Member: memberSchema,
  MemberList: itemsOf(memberSchema, "MemberList"),
  UpdateMember: updateMemberSchema,
  Invite: inviteSchema,
  InviteList: itemsOf(inviteSchema, "InviteList"),
  CreateInvite: inviteRequestSchema,
  CreatedInvite: createdInviteSchema,
  AuditEventPage: auditPageSchema,
  Health: healthSchema,
  RegistryCheck: registryCheckSchema,
  RegistryCheckPage: registryCheckPageSchema,
  HealthCheckSettings: healthCheckSettingsSchema,
  HealthCheckSettingsUpdate: healthCheckSettingsUpdateSchema,
  Webhook: webhookSchema,
  WebhookList: itemsOf(webhookSchema, "WebhookList"),
  CreatedWebhook: createdWebhookSchema,
  CreateWebhook: createWebhookSchema,
  UpdateWebhook: updateWebhookSchema,
  WebhookDelivery: webhookDeliverySchema,
  WebhookDeliveryPage: webhookDeliveryPageSchema,
};

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENT_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { ...JSON_SCHEMA_OPTIONS, uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  for (const s of Object.values(schemas)) {
    delete s.$schema;
    delete s.$id;
  }
  describeRegistryTypes(schemas.RegistryTypedBody, "create");
  describeRegistryTypes(schemas.RegistryReplace, "replace");
  describeRegistryTypes(schemas.RegistryValidate?.anyOf?.[0], "validate");
  describeCredentials(schemas.RegistryPatch?.properties?.credentials, null);
  describeCredentials(schemas.RegistryTestRequest?.properties?.credentials, null);
  schemas.RegistryTypedBody.description = "The typed body `{name, type, isActive?, credentials}`: one variant per registry type.";
  schemas.RegistryReplace.description = "The typed body of `PUT`: the type cannot change; secrets left out (or blank) keep their stored value unless the registry's binding changes (host, port, path prefix, transport or TLS trust; turning skip-verify off excepted), which requires every secret again.";
  schemas.RegistryPatch.description = "Partial update: `name`, `isActive`, `expiresAt` and any credential keys of the registry's type; `null` or `\"\"` clears a key.";
  schemas.RegistryCreate.description = "A typed body, or the generic body `{name, url, username?, password?, token?, isActive?}` mapped by host.";
  return schemas;
}

/** Adds each type's label, help, documentation link, required fields and secret markers to the variants of a typed body. */
function describeRegistryTypes(union: Json, mode: "create" | "replace" | "validate") {
  for (const variant of union?.oneOf ?? union?.anyOf ?? []) {
    const key = variant?.properties?.type?.const;
    const type = REGISTRY_TYPES.find((t) => t.key === key);
    if (!type) continue;
    variant.title = `${type.label} (${type.key})`;
    variant.description = `${type.help}${type.defaultHost ? `\n\nDefault host: \`${type.defaultHost}\`.` : ""}\n\nDocumentation: ${type.docsUrl}`;
    describeCredentials(variant.properties.credentials, mode === "replace" ? "replace" : "create", type);
    if (mode !== "validate") variant.properties.name.description = "1–100 characters, unique per company among registries that are not deleted";
  }
}

function describeCredentials(schema: Json, mode: "create" | "replace" | null, type?: (typeof REGISTRY_TYPES)[number]) {
  if (!schema?.properties) return;
  const fields = type?.fields ?? REGISTRY_TYPES.flatMap((t) => t.fields);
  for (const [name, prop] of Object.entries(schema.properties as Record<string, Json>)) {
    const field = fields.find((f) => f.name === name);
    if (!field) continue;
    prop.title = field.label;
    const notes = [field.help, field.secret ? "Secret: never returned by the API." : "", field.secret && mode === "replace" ? "Leave out to keep the stored value (unless the binding changes)." : ""].filter(Boolean);
    if (notes.length) prop.description = notes.join(" ");
    if (field.secret) prop.writeOnly = true;
    if (field.placeholder && !field.secret) prop.examples = [field.placeholder];
  }
  if (mode === "create" && type) {
    const required = type.fields.filter((f) => f.required).map((f) => f.name);
    if (required.length) schema.required = required;
  }
}

// ---------------------------------------------------------------------------
// Paths.

const jsonBody = (schemaId: string, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { "application/json": { schema: ref(schemaId) } },
});

const answer = (description: string, schemaId?: string, headers: Record<string, Json> = {}) => ({
  description,
  headers: { "X-Request-Id": { $ref: "#/components/headers/XRequestId" }, ...headers },
  ...(schemaId ? { content: { "application/json": { schema: ref(schemaId) } } } : {}),
});

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { $ref: `#/components/responses/Problem${c}` }]));

const P = {
  companyId: { $ref: "#/components/parameters/CompanyId" },
  id: { $ref: "#/components/parameters/RegistryId" },
  ifMatch: { $ref: "#/components/parameters/IfMatch" },
  requestId: { $ref: "#/components/parameters/XRequestId" },
};

const ETAG = { ETag: { $ref: "#/components/headers/ETag" } };
const SESSION_ONLY = [{ sessionCookie: [] }];
const NO_STORE = { "Cache-Control": { schema: { type: "string", const: "no-store" } } };

function listParameters(): Json[] {
  const shape = listRegistriesQuerySchema.shape;
  const descriptions: Record<string, string> = {
    "filter.name": "Case-insensitive substring of the name",
    "filter.type": "Only registries of this type",
    "filter.health": "Only registries with this health status",
    limit: "Page size, 1–100",
    "pagination.token": "The `nextPageToken` of the previous page (opaque keyset cursor)",
  };
  return Object.entries(shape).map(([name, schema]) => {
    const json = z.toJSONSchema(schema as z.ZodType, JSON_SCHEMA_OPTIONS) as Json;
    delete json.$schema;
    if (name === "filter.type") json.enum = [...REGISTRY_TYPE_KEYS];
    return { name, in: "query", required: false, description: descriptions[name], schema: json };
  });
}

function checksParameters(): Json[] {
  const descriptions: Record<string, string> = { limit: "Page size, 1–100", "pagination.token": "The `nextPageToken` of the previous page" };
  return Object.entries(listChecksQuerySchema.shape).map(([name, schema]) => {
    const json = z.toJSONSchema(schema as z.ZodType, JSON_SCHEMA_OPTIONS) as Json;
    delete json.$schema;
    return { name, in: "query", required: false, description: descriptions[name], schema: json };
  });
}

/** The company's scheduled-check interval (session only, owners and admins). */
function healthCheckPaths(): Record<string, Json> {
  const tags = ["Identity"];
  return {
    "/api/v1/companies/{companyId}/health-checks": {
      parameters: [P.companyId, P.requestId],
      get: {
        tags,
        operationId: "getHealthCheckSettings",
        summary: "The scheduled-check interval",
        description: "Sessions only; owners and admins.",
        security: SESSION_ONLY,
        responses: { "200": answer("The interval", "HealthCheckSettings"), ...problems(401, 403, 404) },
      },
      patch: {
        tags,
        operationId: "setHealthCheckSettings",
        summary: "Set the scheduled-check interval",
        description: "15–1440 minutes, or null to follow `BERTH_CHECK_INTERVAL_MINUTES`; the checks move to it within a minute. Audited. Sessions only; owners and admins.",
        security: SESSION_ONLY,
        requestBody: jsonBody("HealthCheckSettingsUpdate"),
        responses: { "200": answer("The interval", "HealthCheckSettings"), ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
  };
}

/** What a token limited to some registries may do, added to each registry operation's description. */
const LIMIT_NOTES = {
  sees: " A token limited to some registries (`registryIds`) sees only those: any other registry is 404, like an unknown id.",
  matches:
    " A token limited to some registries (`registryIds`) selects only among those: another registry's id, image or host gets the same 404 as one Berth does not know.",
  creates: " 403 for a token limited to some registries (`registryIds`): it could not see what it created; use a token for all registries.",
} as const;

function limitNoteFor(operationId: string): string {
  const id = operationId.replace(/^seed/, "").toLowerCase();
  if (id === "createregistry" || id === "importdockerconfig") return LIMIT_NOTES.creates;
  if (id === "validateregistry") return "";
  if (id === "resolveimage" || id.includes("pullsecret") || id.includes("resolve")) return LIMIT_NOTES.matches;
  return LIMIT_NOTES.sees;
}

function registryPaths(prefix: "v1" | "seed"): Record<string, Json> {
  const paths = registryPathsWithoutLimits(prefix);
  for (const item of Object.values(paths) as Record<string, { operationId?: string; description?: string }>[]) {
    for (const operation of Object.values(item)) {
      if (operation && typeof operation === "object" && typeof operation.operationId === "string") operation.description = `${operation.description ?? ""}${limitNoteFor(operation.operationId)}`;
    }
  }
  return paths;
}

function registryPathsWithoutLimits(prefix: "v1" | "seed"): Record<string, Json> {
  const seed = prefix === "seed";
  const base = seed ? "/api/{companyId}/containerRegistryConfig" : "/api/v1/companies/{companyId}/registries";
  const tags = [seed ? "Container registry config (seed-compatible)" : "Registries"];
  const op = (id: string) => (seed ? `seed${id[0]!.toUpperCase()}${id.slice(1)}` : id);
  const seedNote = seed ? " The same handler as the `/api/v1/companies/{companyId}/registries` path." : "";
  const paths: Record<string, Json> = {
    [base]: {
      parameters: [P.companyId, P.requestId],
      get: {
        tags,
        operationId: op("listRegistries"),
        summary: "List registries",
        description: `Newest first, keyset-paginated. Token scope \`registries:read\`; every role.${seedNote}`,
        parameters: listParameters(),
        responses: { "200": answer("A page of registries", "RegistryPage"), ...problems(400, 401, 403, 404) },
      },
      post: {
        tags,
        operationId: op("createRegistry"),
        summary: "Create a registry",
        description: `A typed body, or the generic body of the container-registry-config API mapped by host. Token scope \`registries:write\`; member with manageRegistries, admin, owner.${seedNote}`,
        requestBody: jsonBody("RegistryCreate"),
        responses: {
          "201": answer("Created; `Location` names the new registry", "Registry", { Location: { $ref: "#/components/headers/Location" }, ...ETAG }),
          ...problems(400, 401, 403, 404, 409, 413, 415),
        },
      },
    },
    [`${base}/{id}`]: {
      parameters: [P.companyId, P.id, P.requestId],
      get: {
        tags,
        operationId: op("getRegistry"),
        summary: "Get a registry",
        description: `With its version as \`ETag\`. Token scope \`registries:read\`.${seedNote}`,
        responses: { "200": answer("The registry", "Registry", ETAG), ...problems(401, 403, 404) },
      },
      put: {
        tags,
        operationId: op("replaceRegistry"),
        summary: "Replace a registry",
        description: `The type is immutable; omitted secrets keep their value unless the binding changes (host, port, path prefix, transport, TLS trust). Honours \`If-Match\`. Token scope \`registries:write\`.${seedNote}`,
        parameters: [P.ifMatch],
        requestBody: jsonBody("RegistryReplace"),
        responses: { "200": answer("The updated registry", "Registry", ETAG), ...problems(400, 401, 403, 404, 409, 412, 413, 415) },
      },
      patch: {
        tags,
        operationId: op("updateRegistry"),
        summary: "Update a registry partially",
        description: `Name, isActive and credentials. Honours \`If-Match\`. Token scope \`registries:write\`.${seedNote}`,
        parameters: [P.ifMatch],
        requestBody: jsonBody("RegistryPatch"),
        responses: { "200": answer("The updated registry", "Registry", ETAG), ...problems(400, 401, 403, 404, 409, 412, 413, 415) },
      },
      delete: {
        tags,
        operationId: op("deleteRegistry"),
        summary: "Delete a registry",
        description: `Soft delete: the ciphertext is wiped and the name and URL are freed. 409 \`registry-in-use\` when resolve or a pull secret used it in the last 30 days, unless \`force=true\`. Honours \`If-Match\`. Token scope \`registries:write\`; a member with manageRegistries may delete only registries they created.${seedNote}`,
        parameters: [P.ifMatch, { name: "force", in: "query", required: false, description: "Delete even if used in the last 30 days", schema: { type: "boolean", default: false } }],
        responses: { "204": answer("Deleted"), ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    [`${base}/validate`]: {
      parameters: [P.companyId, P.requestId],
      post: {
        tags,
        operationId: op("validateRegistry"),
        summary: "Test Connection on unsaved input",
        description: `Runs the staged connection test (format, for ECR \`aws-auth\` (GetAuthorizationToken), DNS, outbound policy, TCP, TLS, \`/v2/\`, auth) on a body that is not saved. 200 with the result whatever the outcome; 400 only for a body that fails the format checks. Token scope \`registries:write\`; every role but viewer.${seedNote}`,
        requestBody: jsonBody("RegistryValidate"),
        responses: { "200": answer("The test result", "TestResult"), ...problems(400, 401, 403, 404, 413, 415, 429) },
      },
    },
  };
  if (seed) return paths;
  return {
    ...paths,
    [`${base}/{id}/test`]: {
      parameters: [P.companyId, P.id, P.requestId],
      post: {
        tags,
        operationId: "testRegistry",
        summary: "Test Connection on a saved registry",
        description: "With optional overrides (an edit form's unsaved values); a body is optional. An override that changes the binding (host, port, path prefix, transport, CA certificate, skip-verify turned on) must bring every secret again, else 400: stored secrets only go where the saved registry points. Stores `lastTest` when the saved values were tested, and audits. Token scope `registries:read`; every role but viewer.",
        requestBody: { required: false, content: { "application/json": { schema: ref("RegistryTestRequest") } } },
        responses: { "200": answer("The test result", "TestResult"), ...problems(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    [`${base}/{id}/checks`]: {
      parameters: [P.companyId, P.id, P.requestId],
      get: {
        tags,
        operationId: "listRegistryChecks",
        summary: "A registry's check history",
        description:
          "Every scheduled check and every manual test of the saved values, newest first, keyset-paginated; kept 90 days or the newest 1 000 per registry, whichever is less. Token scope `registries:read`; every role (what getting the registry needs).",
        parameters: checksParameters(),
        responses: { "200": answer("A page of checks", "RegistryCheckPage"), ...problems(400, 401, 403, 404) },
      },
    },
    [`${base}/resolve`]: {
      parameters: [P.companyId, P.requestId],
      post: {
        tags,
        operationId: "resolveRegistry",
        summary: "Find the registry for an image",
        description:
          "The image reference is read as `docker pull` reads it (`postgres:17-alpine` is `docker.io/library/postgres`; a malformed reference is 400 with the reason). The answer is the active registry on the image's host whose path prefix is the longest match (`ghcr.io/org-a` beats `ghcr.io`; at equal prefixes a registry with credentials beats a `public` one); an ECR registry whose account is not known yet matches any account's host in its region. 404 when none matches: a public image needs no credentials. Records a use of the registry. `Cache-Control: no-store`. Token scope `registries:read`; every role.",
        requestBody: jsonBody("ResolveRequest"),
        responses: { "200": answer("The matching registry", "ResolveResult", NO_STORE), ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
    [`${base}/pull-secret`]: {
      parameters: [P.companyId, P.requestId],
      post: {
        tags,
        operationId: "createPullSecret",
        summary: "Build a pull secret",
        description:
          "The registries' credentials as a `.dockerconfigjson` object (`dockerconfigjson`), the same as a string under `.dockerconfigjson` (`secret-data`, for an External Secrets `Webhook` generator), a Kubernetes `Secret` of type `kubernetes.io/dockerconfigjson` as YAML (`kubernetes`, with `name` and `namespace` checked as DNS-1123 names) or `docker login` shell lines with `--password-stdin` (`docker-login`). Select with exactly one of `registryIds`, `images` (each as `resolve` would answer) or `hosts` (every active registry on the host, all path prefixes), at most 50. `auths` keys: Docker Hub under `https://index.docker.io/v1/`, a path-prefixed registry under `host/prefix`, ECR under the host its password is for. ECR keys are exchanged for a 12-hour password (shared cache, reused until 15 minutes before expiry); `expiresAt` is the earliest expiry. Unknown or deleted ids are 404, inactive registries 400; images and hosts that match nothing 404. Rate limited per API token (or user) by `BERTH_PULL_RATE_LIMIT` per minute (429 with `Retry-After`). Audited as `registry.pull_secret_issued` and recorded as a use of each registry. `Cache-Control: no-store`. Token scope `registries:pull`; admin and owner.",
        requestBody: jsonBody("PullSecretRequest"),
        responses: { "200": answer("The pull secret (contains secrets)", "PullSecret", NO_STORE), ...problems(400, 401, 403, 404, 409, 413, 415, 429, 502) },
      },
    },
    [`${base}/{id}/uses`]: {
      parameters: [P.companyId, P.id, P.requestId],
      get: {
        tags,
        operationId: "listRegistryUses",
        summary: "Recent uses of a registry",
        description: "Each `resolve` and pull secret that used the registry, newest first, kept 90 days: when, which operation and client, for which image or host, by which user and API token (by name). Token scope `registries:read`; every role.",
        parameters: [
          { name: "limit", in: "query", required: false, description: "Page size, 1–100", schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
          { name: "pagination.token", in: "query", required: false, description: "The `nextPageToken` of the previous page", schema: { type: "string" } },
        ],
        responses: { "200": answer("A page of uses", "RegistryUsePage"), ...problems(400, 401, 403, 404) },
      },
    },
    [`${base}/import`]: {
      parameters: [P.companyId, P.requestId],
      post: {
        tags,
        operationId: "importDockerConfig",
        summary: "Import registries from a Docker config",
        description:
          "One registry per `auths` entry of a `config.json` / `.dockerconfigjson` (the object or its JSON text), mapped by host like the generic create body: `auth` (base64 `user:password`) or `username`/`password`; Docker Hub's `https://index.docker.io/v1/` is `docker.io`; `https://` dropped, `http://` kept as plain HTTP, a path kept as the path prefix. Names are the registry URL, `NAME (2)` when taken. Each key is `created`, `skipped` (an active registry with the same URL and user exists) or in `conflicts` (another user, deactivated, another transport, or not mappable: no credentials in the file, an identity token, a credential helper). `dryRun: true` writes nothing. One transaction; concurrent imports never make duplicates. Audited per created registry; never echoes a secret. Token scope `registries:write`; members with Manage registries, admins and owners.",
        requestBody: jsonBody("ImportRequest"),
        responses: { "200": answer("What was (or, in a dry run, would be) created, skipped and in conflict, per key", "ImportResult"), ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
  };
}

function identityPaths(): Record<string, Json> {
  const company = "/api/v1/companies/{companyId}";
  const tags = ["Identity"];
  return {
    "/api/v1/me": {
      parameters: [P.requestId],
      get: {
        tags,
        operationId: "getMe",
        summary: "Who is calling",
        description: "The user, the token (when one was used) and the companies the caller may act for.",
        responses: { "200": answer("The caller", "Me"), ...problems(401, 403) },
      },
    },
    [`${company}/tokens`]: {
      parameters: [P.companyId, P.requestId],
      get: { tags, operationId: "listApiTokens", summary: "List your API tokens", description: "Session only; every role but viewer.", security: SESSION_ONLY, responses: { "200": answer("Your tokens", "ApiTokenList"), ...problems(401, 403, 404) } },
      post: {
        tags,
        operationId: "createApiToken",
        summary: "Create an API token",
        description:
          "The token (`brt_…`) is in this answer only. `registryIds` (1–50 ids of the company's registries, not deleted; else 400 at `registryIds.N`) limits the token to those registries: it then sees, resolves and fetches only them, and may not create or import registries (403). Without it the token covers every registry of the company. Session only; every role but viewer.",
        security: SESSION_ONLY,
        requestBody: jsonBody("CreateApiToken"),
        responses: { "201": answer("Created", "CreatedApiToken", { Location: { $ref: "#/components/headers/Location" } }), ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
    [`${company}/tokens/{tokenId}`]: {
      parameters: [P.companyId, { name: "tokenId", in: "path", required: true, schema: { type: "string", format: "uuid" } }, P.requestId],
      delete: { tags, operationId: "revokeApiToken", summary: "Revoke one of your API tokens", description: "Idempotent. Session only.", security: SESSION_ONLY, responses: { "204": answer("Revoked"), ...problems(401, 403, 404) } },
    },
    [`${company}/members`]: {
      parameters: [P.companyId, P.requestId],
      get: { tags, operationId: "listMembers", summary: "List members", description: "Session only; admin and owner.", security: SESSION_ONLY, responses: { "200": answer("The members", "MemberList"), ...problems(401, 403, 404) } },
    },
    [`${company}/members/{userId}`]: {
      parameters: [P.companyId, { name: "userId", in: "path", required: true, schema: { type: "string", format: "uuid" } }, P.requestId],
      patch: {
        tags,
        operationId: "updateMember",
        summary: "Change a member's role or manageRegistries",
        description: "Session only; admin and owner.",
        security: SESSION_ONLY,
        requestBody: jsonBody("UpdateMember"),
        responses: { "200": answer("The member", "Member"), ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
      delete: { tags, operationId: "removeMember", summary: "Remove a member", description: "Session only; admin and owner.", security: SESSION_ONLY, responses: { "204": answer("Removed"), ...problems(401, 403, 404, 409) } },
    },
    [`${company}/invites`]: {
      parameters: [P.companyId, P.requestId],
      get: { tags, operationId: "listInvites", summary: "List pending invitations", description: "Session only; admin and owner.", security: SESSION_ONLY, responses: { "200": answer("Pending invitations", "InviteList"), ...problems(401, 403, 404) } },
      post: {
        tags,
        operationId: "createInvite",
        summary: "Invite someone",
        description: "The invitation link is in this answer only. Session only; admin and owner.",
        security: SESSION_ONLY,
        requestBody: jsonBody("CreateInvite"),
        responses: { "201": answer("Created", "CreatedInvite"), ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    [`${company}/audit-events`]: {
      parameters: [P.companyId, P.requestId],
      get: {
        tags,
        operationId: "listAuditEvents",
        summary: "The audit log",
        description: "Newest first. Session only; admin and owner.",
        security: SESSION_ONLY,
        parameters: [
          { name: "filter.action", in: "query", required: false, schema: { type: "string", maxLength: 100 }, example: "registry.updated" },
          { name: "filter.actor", in: "query", required: false, description: "A user id", schema: { type: "string", format: "uuid" } },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
          { name: "pagination.token", in: "query", required: false, schema: { type: "string" } },
        ],
        responses: { "200": answer("A page of events", "AuditEventPage"), ...problems(400, 401, 403, 404) },
      },
    },
  };
}

function webhookPaths(): Record<string, Json> {
  const base = "/api/v1/companies/{companyId}/webhooks";
  const tags = ["Notifications"];
  const webhookId = { name: "id", in: "path", required: true, description: "The webhook's id", schema: { type: "string", format: "uuid" } };
  const who = "Session only; admin and owner.";
  return {
    [base]: {
      parameters: [P.companyId, P.requestId],
      get: { tags, operationId: "listWebhooks", summary: "List webhooks", description: who, security: SESSION_ONLY, responses: { "200": answer("The webhooks", "WebhookList"), ...problems(401, 403, 404) } },
      post: {
        tags,
        operationId: "createWebhook",
        summary: "Create a webhook",
        description: `The signing secret is in this answer only. The URL must pass the outbound policy (\`http://\` only for addresses in \`OUTBOUND_ALLOW_CIDRS\`). ${who}`,
        security: SESSION_ONLY,
        requestBody: jsonBody("CreateWebhook"),
        responses: { "201": answer("Created", "CreatedWebhook", { Location: { $ref: "#/components/headers/Location" } }), ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
    [`${base}/{id}`]: {
      parameters: [P.companyId, webhookId, P.requestId],
      get: { tags, operationId: "getWebhook", summary: "One webhook", description: who, security: SESSION_ONLY, responses: { "200": answer("The webhook", "Webhook"), ...problems(401, 403, 404) } },
      patch: { tags, operationId: "updateWebhook", summary: "Change a webhook", description: who, security: SESSION_ONLY, requestBody: jsonBody("UpdateWebhook"), responses: { "200": answer("The webhook", "Webhook"), ...problems(400, 401, 403, 404, 413, 415) } },
      delete: { tags, operationId: "deleteWebhook", summary: "Delete a webhook and its delivery log", description: who, security: SESSION_ONLY, responses: { "204": answer("Deleted"), ...problems(401, 403, 404) } },
    },
    [`${base}/{id}/test`]: {
      parameters: [P.companyId, webhookId, P.requestId],
      post: { tags, operationId: "testWebhook", summary: "Send a test event", description: `Delivers a \`ping\` event now (not retried) and answers with the delivery, whatever the receiver said. The body is ignored. ${who}`, security: SESSION_ONLY, responses: { "200": answer("The delivery", "WebhookDelivery"), ...problems(401, 403, 404) } },
    },
    [`${base}/{id}/deliveries`]: {
      parameters: [P.companyId, webhookId, P.requestId],
      get: {
        tags,
        operationId: "listWebhookDeliveries",
        summary: "The delivery log",
        description: `Newest first. ${who}`,
        security: SESSION_ONLY,
        parameters: [
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
          { name: "pagination.token", in: "query", required: false, schema: { type: "string" } },
        ],
        responses: { "200": answer("A page of deliveries", "WebhookDeliveryPage"), ...problems(400, 401, 403, 404) },
      },
    },
  };
}

function components(): Json {
  // The first error code of each status names the example's problem type.
  const codeOf = (status: number) => (Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === status)!;
  const problemResponse = (status: number, description: string, headers: Record<string, Json> = {}) => ({
    description,
    headers: { "X-Request-Id": { $ref: "#/components/headers/XRequestId" }, ...headers },
    content: {
      "application/problem+json": {
        schema: ref("Problem"),
        example: { type: PROBLEM_BASE + codeOf(status).replace(/_/g, "-"), title: ERROR_TITLE[codeOf(status)], status, detail: "…", requestId: "…" },
      },
    },
  });
  return {
    schemas: componentSchemas(),
    responses: {
      Problem400: problemResponse(400, "The body or a parameter is invalid: `errors` lists each field by its dotted path"),
      Problem401: problemResponse(401, "No valid session or API token (an expired, revoked or unknown token)", { "WWW-Authenticate": { $ref: "#/components/headers/WWWAuthenticate" } }),
      Problem403: problemResponse(403, "The caller's role or token scopes do not allow this (or a token used from outside its CIDR allowlist, or a cross-site request); `two-factor-required` when the company requires two-factor and the signed-in caller has none (enrol at `/account`; API tokens are not affected)"),
      Problem404: problemResponse(404, "Not found: also for another company's ids and for malformed ids"),
      Problem409: problemResponse(409, "The name or URL is already used, or (`registry-in-use`) the registry was used in the last 30 days: `lastUsedAt` and `lastUse` (when, operation, client, image or host, user and token name) name that use"),
      Problem412: problemResponse(412, "`If-Match` names a version that is not the current one: fetch the resource again"),
      Problem413: problemResponse(413, `The body is larger than ${MAX_BODY_BYTES / 1024} KiB`),
      Problem415: problemResponse(415, "The body is not JSON (send `Content-Type: application/json`)"),
      Problem429: problemResponse(429, "Too many requests", { "Retry-After": { $ref: "#/components/headers/RetryAfter" } }),
      Problem502: problemResponse(502, "A provider needed to build the answer failed (ECR's GetAuthorizationToken refused the keys, or did not answer)"),
    },
    parameters: {
      CompanyId: { name: "companyId", in: "path", required: true, description: "The company's id (or its slug)", schema: { type: "string" }, example: "770e8400-e29b-41d4-a716-446655440002" },
      RegistryId: { name: "id", in: "path", required: true, description: "The registry's id", schema: { type: "string", format: "uuid" } },
      IfMatch: { name: "If-Match", in: "header", required: false, description: "The `ETag` last read; 412 when the registry has changed since", schema: { type: "string" }, example: '"3"' },
      XRequestId: { name: "X-Request-Id", in: "header", required: false, description: "Your request id (8–100 of `A-Za-z0-9._-`), echoed in the answer and the audit log", schema: { type: "string" } },
    },
    headers: {
      XRequestId: { description: "The request id, also in problem bodies and the audit log", schema: { type: "string" } },
      ETag: { description: "The registry's version in quotes, for `If-Match`", schema: { type: "string" }, example: '"1"' },
      Location: { description: "The path of the created resource", schema: { type: "string" } },
      RetryAfter: { description: "Seconds to wait", schema: { type: "integer", minimum: 1 } },
      WWWAuthenticate: { description: "`Bearer realm=\"berth\"`", schema: { type: "string" } },
    },
    securitySchemes: {
      bearerToken: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "brt_…",
        description: "An API token (`brt_…`), acting as its user within the user's current role. Scopes: `registries:read`, `registries:write`, `registries:pull`.",
      },
      sessionCookie: {
        type: "apiKey",
        in: "cookie",
        name: "authjs.session-token",
        description: "A browser session. Requests that change state must carry this site's `Origin`.",
      },
    },
  };
}

export function buildOpenApiDocument(): Json {
  return {
    openapi: "3.1.1",
    info: {
      title: "Berth API",
      version: pkg.version,
      summary: "Container-registry credentials: stored encrypted, tested, and handed out as pull secrets.",
      description:
        "Every answer carries `X-Request-Id`. Errors are RFC 9457 problem details (`application/problem+json`) with dotted field paths. " +
        "Bodies are JSON (415 otherwise) of at most 64 KiB (413). Secret values are never returned, except by the pull-secret operation.",
    },
    tags: [
      { name: "Registries", description: "The registry credentials of a company: list, create, read, replace, update, delete, and Test Connection." },
      { name: "Container registry config (seed-compatible)", description: "The same handlers at the container-registry-config paths" },
      { name: "Identity", description: "The caller, API tokens, members, invitations and the audit log" },
      { name: "Notifications", description: "Company webhooks: signed deliveries of registry events, retried for 24 hours, with a delivery log" },
    ],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    paths: { ...registryPaths("v1"), ...registryPaths("seed"), ...identityPaths(), ...healthCheckPaths(), ...webhookPaths() },
    components: components(),
  };
}

let cached: string | undefined;
/** The document as JSON text, built once per process. */
export function openApiJson(): string {
  cached ??= JSON.stringify(buildOpenApiDocument());
  return cached;
}
