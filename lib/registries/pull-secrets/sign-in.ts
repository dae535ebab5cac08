/**
 * How a client signs in to a saved registry, from what its type module says: the `auths` key
 * (`dockerConfigKey`), the username and password (`signIn`: a fixed `_json_key` for Google, the
 * token as both for DigitalOcean), or, for a type whose keys are exchanged first (ECR), the
 * password exchanged now through the shared token cache, keyed by the host it is valid for.
 * Secrets are opened here through `openRegistrySecrets` only.
 */
import "server-only";
import { auditActor, type RequestContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { StageStop } from "../connection/session";
import { parseRegistryHost } from "../connection/target";
import type { ExchangeTransport } from "../exchange/aws-ecr";
import { exchangeStepFor } from "../exchange";
import type { RegistryRow } from "../registry-rows";
import { openRegistrySecrets } from "../secrets";
import { dockerConfigKeyOf, getRegistryType, type RegistryCredentials, type RegistryTypeKey } from "../types";
import type { SignInEntry } from "./formats";

export type SignInOutcome =
  /** The registry's credentials, valid until `expiresAt` when they expire (an exchanged password). */
  | { kind: "entry"; entry: SignInEntry; host: string; prefix: string; expiresAt: Date | null }
  /** A `public` registry: nothing to sign in with. */
  | { kind: "anonymous" }
  /** The secret the type signs in with is not stored. */
  | { kind: "missing"; field: string };

/** `host[:port]` and path prefix of a bound URL. */
function hostAndPrefix(url: string, plainHttp: boolean): { host: string; prefix: string } {
  const target = parseRegistryHost(url, plainHttp);
  return target.ok ? { host: target.value.displayHost, prefix: target.value.pathPrefix } : { host: url, prefix: "" };
}

export async function signInFor(ctx: RequestContext, row: RegistryRow, transport: ExchangeTransport): Promise<SignInOutcome> {
  const type = row.type as RegistryTypeKey;
  const definition = getRegistryType(type);
  const credentials = { ...(row.credentials as RegistryCredentials), ...openRegistrySecrets(row) } as RegistryCredentials;
  const signIn = definition.signIn(credentials);
  if (signIn.kind === "anonymous") return { kind: "anonymous" };
  if (signIn.kind === "basic") {
    if (!signIn.password) return { kind: "missing", field: signIn.secretField };
    const { host, prefix } = hostAndPrefix(row.url, row.plainHttp);
    const entry = { key: dockerConfigKeyOf(type, row.url), loginServer: row.url, username: signIn.username ?? "", password: signIn.password };
    return { kind: "entry", entry, host, prefix, expiresAt: null };
  }
  const step = exchangeStepFor(type, credentials, { registry: row, actor: auditActor(ctx) });
  if (!step) throw new Error(`The registry type ${type} is exchanged but has no exchange step`);
  try {
    const login = await step(transport);
    return { kind: "entry", entry: { key: login.host, loginServer: login.host, username: login.username, password: login.password }, host: login.host, prefix: "", expiresAt: login.expiresAt };
  } catch (err) {
    if (!(err instanceof StageStop)) throw err;
    // Stage messages name the provider's error and never a secret.
    throw new AppError("bad_gateway", `Could not get a registry password for "${row.name}": ${err.message}`, { extra: { registryId: row.id, status: err.status } });
  }
}
