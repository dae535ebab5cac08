/**
 * zod schemas of what the API answers (and of the request bodies that have no schema of their
 * own in the handlers), for the OpenAPI document. The request bodies of the registry and
 * identity endpoints are the handlers' own schemas (lib/registries/schemas, lib/auth/schemas);
 * the answers here mirror the DTOs and are checked against real answers by
 * lib/openapi/openapi.test.ts, so the document cannot drift from the code.
 */
import * as z from "zod";
import { ROLE_VALUES, SCOPE_VALUES } from "@/lib/auth/schemas";
import { STAGE_NAMES, TEST_STATUSES } from "@/lib/registries/connection/types";
import { GENERIC_BODY_TYPES } from "@/lib/registries/generic-body";
import { PULL_SECRET_FORMATS } from "@/lib/registries/pull-secrets/request";
import { REGISTRY_TYPE_KEYS, SECRET_FIELDS } from "@/lib/registries/schemas";
import { CHECK_TRIGGERS } from "@/db/schema/registries";
import { HEALTH_STATUSES } from "@/lib/health/health";
import { USE_CLIENTS } from "@/lib/registries/usage-clients";
import { WEBHOOK_EVENT_TYPES } from "@/lib/notifications/event-types";

const dateTime = z.iso.datetime({ offset: true }).meta({ examples: ["2026-11-22T10:00:00.000Z"] });
const uuid = z.uuid().meta({ examples: ["550e8400-e29b-41d4-a716-446655440000"] });

export const fieldIssueSchema = z.object({
  path: z.string().meta({ description: "Dotted path into the body or query, e.g. `credentials.username`", examples: ["credentials.username"] }),
  message: z.string().meta({ examples: ["Required"] }),
});

/** RFC 9457 problem details, `application/problem+json`. Some problems add members (`retryAfter`, `lastUsedAt`). */
export const problemSchema = z
  .looseObject({
    type: z.url().meta({ description: "`https://berth.dev/problems/` + the problem's code", examples: ["https://berth.dev/problems/validation"] }),
    title: z.string().meta({ examples: ["Invalid request"] }),
    status: z.int().min(400).max(599).meta({ examples: [400] }),
    detail: z.string().meta({ examples: ["1 field is invalid"] }),
    errors: z.array(fieldIssueSchema).optional().meta({ description: "The invalid fields (400) or the conflicting ones (409)" }),
    requestId: z.string().meta({ description: "Also in the `X-Request-Id` header; quote it when reporting a problem" }),
  })
  .meta({ title: "Problem" });

export const healthSchema = z
  .object({
    status: z.enum(HEALTH_STATUSES).meta({
      description:
        "First match wins: `expired` (past `expiresAt`), `failing` (the last 2 checks failed), `expiring` (within 14 days of `expiresAt`), `healthy` (the last check succeeded, or failed once after a success), `not_checked`. A check fails with every status but `success` and `not_verified`",
    }),
    since: dateTime.nullable().meta({ description: "When the status began: the first failure of the run (failing), `expiresAt` (expired), 14 days before it (expiring), the first success of the run (healthy); null when not checked" }),
    lastCheckedAt: dateTime.nullable().meta({ description: "The last check (scheduled or a manual test of the saved values)" }),
  })
  .meta({ title: "Health" });

export const registryCheckSchema = z
  .object({
    id: z.string().meta({ description: "Opaque, increasing" }),
    checkedAt: dateTime,
    status: z.enum(TEST_STATUSES),
    stage: z.enum(STAGE_NAMES),
    latencyMs: z.int().min(0),
    message: z.string().meta({ description: "The test's message; never a secret" }),
    trigger: z.enum(CHECK_TRIGGERS).meta({ description: "`schedule`, or a manual test of the saved values by a signed-in `user` or an API `token`" }),
  })
  .meta({ title: "RegistryCheck" });

export const registryCheckPageSchema = z
  .object({
    items: z.array(registryCheckSchema),
    limit: z.int().min(1).max(100),
    nextPageToken: z.string().nullable().meta({ description: "Opaque; pass as `pagination.token` for the next (older) page. `null` on the last page" }),
  })
  .meta({ title: "RegistryCheckPage" });

export const healthCheckSettingsSchema = z
  .object({
    intervalMinutes: z.int().min(15).max(1440).nullable().meta({ description: "The company's own interval; null follows the server's default" }),
    defaultIntervalMinutes: z.int().min(1).meta({ description: "`BERTH_CHECK_INTERVAL_MINUTES`" }),
    effectiveIntervalMinutes: z.int().min(1),
  })
  .meta({ title: "HealthCheckSettings" });

export const registrySchema = z
  .object({
    id: uuid,
    companyIdRef: uuid.meta({ description: "The company (tenant) the registry belongs to" }),
    type: z.enum(REGISTRY_TYPE_KEYS),
    name: z.string().min(1).max(100),
    url: z.string().meta({ description: "Normalised `host[:port][/path-prefix]`: no scheme, no trailing slash", examples: ["ghcr.io/my-org"] }),
    plainHttp: z.boolean().meta({ description: "The registry is spoken to over plain HTTP (an `http://` URL was entered)" }),
    isActive: z.boolean(),
    isDeleted: z.boolean(),
    credentials: z
      .record(z.string(), z.union([z.string(), z.boolean()]))
      .meta({ description: "The type's non-secret credential fields. Secret values are never returned: see `secretsSet`", examples: [{ username: "myorg" }] }),
    secretsSet: z.array(z.enum(SECRET_FIELDS)).meta({ description: "Which secret fields hold a value", examples: [["token"]] }),
    createdAt: dateTime,
    updatedAt: dateTime,
    createdBy: uuid.nullable(),
    createdByEmail: z.string().nullable(),
    modifiedBy: uuid.nullable(),
    lastUsedAt: dateTime.nullable().meta({ description: "Last use by resolve or a pull secret" }),
    expiresAt: dateTime.nullable().meta({ description: "When the credentials expire (set by hand, or read from GitHub or GitLab when `detectExpiry` is on); null when unknown. Expiring 14 days before, expired from then on" }),
    expiry: z
      .object({
        source: z.enum(["user", "detected"]).nullable().meta({ description: "Who set `expiresAt`; a date set by hand is never replaced by a detected one" }),
        checkedAt: dateTime.nullable().meta({ description: "When the provider was last asked" }),
        detectedExpiresAt: dateTime.nullable().meta({ description: "What the provider said last (null: no expiry, or not asked)" }),
        message: z.string().nullable().meta({ description: "What the last detection found; never a secret" }),
      })
      .meta({ description: "Where `expiresAt` came from and the last expiry detection" }),
    lastExchangeAt: dateTime.nullable().meta({ description: "Exchanged credentials (ECR): the last successful exchange; such registries have no `expiresAt`" }),
    lastTest: z
      .object({ status: z.enum(TEST_STATUSES), message: z.string(), checkedAt: dateTime })
      .nullable()
      .meta({ description: "The last Test Connection of the saved credentials; cleared when the host or a secret changes" }),
    scheduledChecks: z.boolean().meta({ description: "Checked on the schedule (every `BERTH_CHECK_INTERVAL_MINUTES` or the company's interval); false: tested only by hand" }),
    health: healthSchema,
    version: z.int().min(1).meta({ description: "Bumped on every change; the `ETag` is this number in quotes" }),
    warnings: z.array(fieldIssueSchema).meta({ description: "Broken conventions found when the registry was last written (never errors)" }),
  })
  .meta({ title: "Registry" });

export const registryPageSchema = z
  .object({
    items: z.array(registrySchema),
    limit: z.int().min(1).max(100),
    nextPageToken: z.string().nullable().meta({ description: "Opaque; pass as `pagination.token` for the next page. `null` on the last page" }),
  })
  .meta({ title: "RegistryPage" });

/** The generic create body, mapped to a type by its host (each type module's generic-body rule). */
export const genericRegistryBodySchema = z
  .strictObject({
    name: z.string().min(1).max(100).meta({ examples: ["Production ACR"] }),
    url: z.string().max(2048).meta({ description: "Registry host, optional port and path prefix. `https://` and a trailing `/` are stripped; `http://` means plain HTTP", examples: ["myprod.azurecr.io"] }),
    username: z.string().optional().meta({ description: "`_json_key` with a Google service-account key as the password for gcr.io and *-docker.pkg.dev", examples: ["myprod"] }),
    password: z.string().optional().meta({ writeOnly: true, description: "Password, access token or (GCR/GAR) the whole service-account JSON key" }),
    token: z.string().optional().meta({ writeOnly: true, description: "Bearer token: an alternative to username + password" }),
    isActive: z.boolean().optional(),
  })
  .meta({
    title: "GenericRegistryBody",
    description:
      `The generic body of the container-registry-config API: mapped by host to ${GENERIC_BODY_TYPES.map(({ type }) => `${type.key} (${type.hostPattern.description})`).join(", ")}, else \`custom\`. Field errors are reported at the mapped paths (e.g. \`credentials.serviceAccountKey\`).`,
  });

export const testResultSchema = z
  .object({
    ok: z.boolean().meta({ description: "True only for `success`" }),
    status: z.enum(TEST_STATUSES),
    stage: z.enum(STAGE_NAMES).meta({ description: "The stage that decided the outcome" }),
    message: z.string().meta({ description: "What happened and what to do; never a secret" }),
    latencyMs: z.number().min(0),
    stages: z.array(z.object({ name: z.enum(STAGE_NAMES), ok: z.boolean(), ms: z.number().min(0), detail: z.string().optional() })),
    details: z
      .looseObject({
        authScheme: z.enum(["basic", "bearer", "none"]).optional(),
        registryHost: z.string().optional().meta({ description: "Where the registry API was reached, `host[:port]`" }),
        exchange: z
          .object({
            endpoint: z.string().meta({ description: "Where the credentials were exchanged, e.g. `api.ecr.eu-west-1.amazonaws.com`" }),
            registryHost: z.string().meta({ description: "The registry the exchanged password is for (ECR's proxy endpoint)" }),
            expiresAt: dateTime,
            cached: z.boolean().meta({ description: "The shared cached password was used: no request went to AWS" }),
            ms: z.number().min(0),
          })
          .optional()
          .meta({ description: "ECR: the `aws-auth` stage's GetAuthorizationToken exchange" }),
        urlLearned: z
          .boolean()
          .optional()
          .meta({ description: "A saved ECR registry without a registry ID learned its URL from this test's exchange (its version, the ETag, went up by one)" }),
      })
      .meta({ examples: [{ authScheme: "bearer" }] }),
    warnings: z.array(fieldIssueSchema),
  })
  .meta({ title: "TestResult" });

export { pullSecretRequestSchema, resolveRequestSchema } from "@/lib/registries/pull-secrets/request";

export const resolveResultSchema = z.object({ registry: registrySchema }).meta({ title: "ResolveResult" });

const dockerConfigJsonSchema = z
  .object({
    auths: z.record(
      z.string().meta({ description: "`host[:port][/prefix]`; Docker Hub as `https://index.docker.io/v1/`" }),
      z.object({ username: z.string(), password: z.string(), auth: z.string().meta({ description: "base64 of `username:password`" }) }),
    ),
  })
  .meta({ title: "DockerConfigJson", description: "A `.dockerconfigjson` (also GitLab CI's `DOCKER_AUTH_CONFIG`)" });

export const pullSecretSchema = z
  .object({
    format: z.enum(PULL_SECRET_FORMATS),
    content: z.union([dockerConfigJsonSchema, z.object({ ".dockerconfigjson": z.string() }).meta({ title: "SecretData" }), z.string()]).meta({
      description:
        "`dockerconfigjson`: the object; `secret-data`: `{\".dockerconfigjson\": \"<the JSON as a string>\"}`; `kubernetes`: the YAML text of a `kubernetes.io/dockerconfigjson` Secret; `docker-login`: shell lines. Contains secrets.",
    }),
    expiresAt: dateTime.nullable().meta({ description: "The earliest expiry of the credentials held (ECR: 12 hours), or null" }),
    registries: z
      .array(z.object({ id: uuid, name: z.string(), host: z.string().meta({ examples: ["ghcr.io"] }), prefix: z.string().meta({ description: "Path prefix, \"\" for none", examples: ["my-org"] }) }))
      .meta({ description: "The registries whose credentials `content` holds (a `public` registry adds none)" }),
  })
  .meta({ title: "PullSecret" });

export const registryUseSchema = z
  .object({
    id: z.string().meta({ description: "Ascending with time" }),
    usedAt: dateTime,
    operation: z.enum(["resolve", "pull-secret"]),
    client: z.enum(USE_CLIENTS).meta({ description: "From the `User-Agent`: `helper` (docker-credential-berth), `kubelet` (berth-credential-provider), `ui`, else `api`" }),
    subject: z.string().nullable().meta({ description: "The image or host asked for; null when the registry was named by id" }),
    user: z.object({ id: uuid, email: z.string() }).nullable(),
    token: z.object({ id: uuid, name: z.string() }).nullable().meta({ description: "The API token used (its name, never its value), or null for a session" }),
  })
  .meta({ title: "RegistryUse" });

export const registryUsePageSchema = z
  .object({ items: z.array(registryUseSchema), limit: z.int(), nextPageToken: z.string().nullable() })
  .meta({ title: "RegistryUsePage" });

const companySchema = z.object({ id: uuid, slug: z.string(), name: z.string(), role: z.enum(ROLE_VALUES) });

export const meSchema = z
  .object({
    user: z.object({ id: uuid, email: z.string(), name: z.string() }),
    token: z
      .object({
        id: uuid,
        name: z.string(),
        scopes: z.array(z.enum(SCOPE_VALUES)),
        expiresAt: dateTime.nullable(),
        registryIds: z.array(uuid).nullable().meta({ description: "The registries the token is limited to; null: every registry of the company" }),
      })
      .nullable().meta({ description: "The API token used, or null for a session" }),
    companies: z.array(companySchema),
  })
  .meta({ title: "Me" });

export const apiTokenSchema = z
  .object({
    id: uuid,
    name: z.string(),
    prefix: z.string().meta({ description: "The first characters of the token, to tell tokens apart" }),
    scopes: z.array(z.enum(SCOPE_VALUES)),
    expiresAt: dateTime.nullable(),
    cidrAllowlist: z.array(z.string()),
    registryIds: z
      .array(uuid)
      .nullable()
      .meta({ description: "The registries the token is limited to (it sees, resolves and fetches only those); null: every registry of the company" }),
    lastUsedAt: dateTime.nullable(),
    revokedAt: dateTime.nullable(),
    createdAt: dateTime,
  })
  .meta({ title: "ApiToken" });

export const createdApiTokenSchema = apiTokenSchema
  .extend({ token: z.string().regex(/^brt_/).meta({ description: "The token itself: shown once, in this answer only", writeOnly: false }) })
  .meta({ title: "CreatedApiToken" });

export const memberSchema = z
  .object({ userId: uuid, email: z.string(), name: z.string(), role: z.enum(ROLE_VALUES), manageRegistries: z.boolean(), joinedAt: dateTime })
  .meta({ title: "Member" });

export const inviteSchema = z
  .object({ id: uuid, email: z.string(), role: z.enum(ROLE_VALUES), manageRegistries: z.boolean(), expiresAt: dateTime, acceptedAt: dateTime.nullable(), createdAt: dateTime })
  .meta({ title: "Invite" });

export const createdInviteSchema = inviteSchema
  .extend({ invitePath: z.string().meta({ description: "The invitation link's path: shown once, in this answer only", examples: ["/invite/…"] }) })
  .meta({ title: "CreatedInvite" });

export const auditEventSchema = z
  .object({
    id: z.string().meta({ description: "Ascending with time" }),
    action: z.string().meta({ examples: ["registry.updated"] }),
    actor: z.object({ userId: uuid.nullable(), email: z.string().nullable(), tokenId: uuid.nullable() }),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).meta({ description: "Names and changed field names; never a secret" }),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    createdAt: dateTime,
  })
  .meta({ title: "AuditEvent" });

export const auditPageSchema = z
  .object({ items: z.array(auditEventSchema), limit: z.int().min(1).max(100), nextPageToken: z.string().nullable() })
  .meta({ title: "AuditEventPage" });

export const itemsOf = <T extends z.ZodType>(schema: T, title: string) => z.object({ items: z.array(schema) }).meta({ title });

const importOutcomeSchema = z.object({
  key: z.string().meta({ description: "The `auths` (or `credHelpers`) key as in the file; a `user:password@` in it is masked", examples: ["https://index.docker.io/v1/"] }),
  reason: z.string().meta({ description: "Why the entry was skipped or is in conflict; never a secret" }),
  registryId: uuid.optional().meta({ description: "The registry that already holds the URL" }),
  url: z.string().optional().meta({ description: "The registry URL the entry maps to", examples: ["docker.io"] }),
  type: z.enum(REGISTRY_TYPE_KEYS).optional().meta({ description: "The registry type the entry maps to" }),
});

/** `POST …/registries/import`: the answer per key. The request is the handler's own schema (lib/registries/docker-config). */
export const importResultSchema = z
  .object({
    dryRun: z.boolean().meta({ description: "True when nothing was written: `created` then shows what would be stored (the ids are not kept)" }),
    created: z.array(z.object({ key: z.string(), registry: registrySchema })),
    skipped: z.array(importOutcomeSchema).meta({ description: "An active registry with the same URL, transport and user already exists" }),
    conflicts: z.array(importOutcomeSchema).meta({
      description: "The URL is held for another user, by a deactivated registry or over another transport, or the entry cannot be mapped (no credentials in the file, an identity token only, a credential helper, a value the create API refuses)",
    }),
  })
  .meta({ title: "ImportResult" });
const deliveryStatus = z.enum(["pending", "succeeded", "failed"]);

export const webhookSchema = z
  .object({
    id: uuid,
    url: z.string().meta({ examples: ["https://hooks.example.com/berth"] }),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    format: z.enum(["json", "slack"]).meta({ description: "`json`: the event body; `slack`: `{\"text\": …}` for a Slack incoming webhook (signed all the same)" }),
    description: z.string(),
    isActive: z.boolean().meta({ description: "A paused webhook gets no events (the test event is still sent)" }),
    createdBy: uuid.nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
    lastDelivery: z.object({ status: deliveryStatus, responseCode: z.int().nullable(), at: dateTime }).nullable(),
  })
  .meta({ title: "Webhook" });

export const createdWebhookSchema = webhookSchema
  .extend({ secret: z.string().meta({ description: "The signing secret (`whsec_…`), in this answer only. `Berth-Signature: t=UNIX,v1=HEX`, HEX the HMAC-SHA256 of `t + \".\" + body` with it", examples: ["whsec_…"] }) })
  .meta({ title: "CreatedWebhook" });

export const webhookDeliverySchema = z
  .object({
    id: uuid.meta({ description: "Also the `Berth-Delivery` header: receivers de-duplicate on it" }),
    webhookId: uuid,
    eventId: uuid,
    eventType: z.string().meta({ examples: ["registry.created"] }),
    status: deliveryStatus,
    attempts: z.int().min(0),
    nextAttemptAt: dateTime.nullable().meta({ description: "When a pending delivery is tried again (backoff from 30 s, doubling, for 24 hours)" }),
    lastAttemptAt: dateTime.nullable(),
    responseCode: z.int().nullable(),
    durationMs: z.int().nullable(),
    errorMessage: z.string().nullable().meta({ description: "What went wrong, with at most a short redacted snippet of the answer" }),
    createdAt: dateTime,
  })
  .meta({ title: "WebhookDelivery" });

export const webhookDeliveryPageSchema = z
  .object({ items: z.array(webhookDeliverySchema), limit: z.int().min(1).max(100), nextPageToken: z.string().nullable() })
  .meta({ title: "WebhookDeliveryPage" });
