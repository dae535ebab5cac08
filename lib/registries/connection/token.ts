/**
 * Bearer token requests (distribution `token.md` and `oauth.md`): GET with
 * Basic credentials, or the OAuth2 POST form for refresh-token style
 * credentials; POST falls back to GET on 404/405 and the other way round.
 *
 * Security decision: the realm comes from the registry, so it goes through
 * the same transport (outbound policy, HTTPS unless plain HTTP) as the
 * registry itself; credentials go as Basic only when both parts are set.
 */
import "server-only";
import { tokenOf } from "./answers";
import type { SelectedChallenge } from "./challenge";
import type { Credentials } from "./format";
import { stageMessage } from "./messages";
import { realmRefusal } from "./hints";
import { recordStage, StageStop, stopForStatus, type Session } from "./session";
import { request, type HttpResponse, type RequestSpec } from "./transport";
import type { StageName } from "./types";

export const CLIENT_ID = "berth";

/** Usernames that mean "the password is a refresh (identity) token" (Docker, ACR). */
const REFRESH_TOKEN_USERS = new Set(["<token>", "00000000-0000-0000-0000-000000000000"]);

type TokenFlow = "get" | "password-form" | "refresh-form";

function flowsFor(credentials: Credentials | undefined): TokenFlow[] {
  if (!credentials) return ["get"];
  return REFRESH_TOKEN_USERS.has(credentials.username) ? ["refresh-form", "get"] : ["get", "password-form"];
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}

function getRequest(realm: URL, challenge: SelectedChallenge, scope: string | undefined, credentials?: Credentials): RequestSpec {
  const url = new URL(realm);
  if (challenge.service) url.searchParams.set("service", challenge.service);
  if (scope) url.searchParams.append("scope", scope);
  if (credentials) url.searchParams.set("account", credentials.username);
  url.searchParams.set("client_id", CLIENT_ID);
  return { method: "GET", url, headers: credentials ? { Authorization: basicAuthorization(credentials) } : {} };
}

function formRequest(flow: "password-form" | "refresh-form", realm: URL, challenge: SelectedChallenge, scope: string | undefined, credentials: Credentials): RequestSpec {
  const form = new URLSearchParams();
  if (flow === "password-form") {
    form.set("grant_type", "password");
    form.set("username", credentials.username);
    form.set("password", credentials.password);
  } else {
    form.set("grant_type", "refresh_token");
    form.set("refresh_token", credentials.password);
  }
  if (challenge.service) form.set("service", challenge.service);
  form.set("client_id", CLIENT_ID);
  if (scope) form.set("scope", scope);
  return {
    method: "POST",
    url: realm,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  };
}

function parseRealm(challenge: SelectedChallenge, stage: StageName): URL {
  try {
    return new URL(challenge.realm ?? "");
  } catch {
    throw new StageStop("registry_error", stage, stageMessage(stage, "The registry's Bearer challenge has an invalid realm URL", "Check the registry's token service configuration."));
  }
}

/** Records where the token request goes, and refuses a realm a hosted service does not use. */
function noteRealm(session: Session, realm: URL, stage: StageName): void {
  session.details.realmHost = realm.host;
  const refusal = realmRefusal(session.prepared.type, session.prepared.target.hostname, realm.hostname);
  if (refusal) {
    recordStage(session, stage, false, 0, `token realm ${realm.host} refused: not a token service of the provider`);
    throw new StageStop("blocked_by_policy", stage, stageMessage(stage, refusal, "Check the registry URL: a registry on the provider's own host always uses the provider's token service."));
  }
}

function tokenFromAnswer(session: Session, stage: StageName, realm: URL, response: HttpResponse): string {
  const what = `The token service ${realm.host}`;
  const oauthRefusal = response.status === 400 && /invalid_grant|unauthorized_client/.test(response.body.toString("utf8"));
  if (response.status !== 200) {
    throw stopForStatus(session, stage, what, oauthRefusal ? { ...response, status: 401 } : response);
  }
  if (response.truncated) {
    throw new StageStop("registry_error", stage, stageMessage(stage, `${what} sent an answer larger than 1 MiB`, "Check the registry's token service."), { httpStatus: 200 });
  }
  const token = tokenOf(response.body);
  if (!token) {
    throw new StageStop("registry_error", stage, stageMessage(stage, `${what} answered 200 without a token`, "Check the registry's token service."), { httpStatus: 200 });
  }
  session.secrets.push(token);
  return token;
}

/** Gets a Bearer token for `scope` (none = plain login), trying the flows in turn. */
export async function fetchToken(session: Session, challenge: SelectedChallenge, scope: string | undefined, stage: StageName): Promise<string> {
  const realm = parseRealm(challenge, stage);
  noteRealm(session, realm, stage);
  if (challenge.service) session.details.service = challenge.service;
  const credentials = session.prepared.credentials;
  const flows = flowsFor(credentials);
  const started = performance.now();
  let answered = false;
  try {
    for (const [index, flow] of flows.entries()) {
      const spec = flow === "get" || !credentials ? getRequest(realm, challenge, scope, credentials) : formRequest(flow, realm, challenge, scope, credentials);
      const response = await request(spec, session.settings);
      answered = true;
      const another = index < flows.length - 1;
      if (another && (response.status === 404 || response.status === 405)) continue;
      return tokenFromAnswer(session, stage, realm, response);
    }
  } catch (error) {
    // The failed stage says where the credentials went (or that the token service was not reached).
    const where = answered ? `${credentials ? "credentials sent to" : "anonymous token request to"} ${realm.host}` : `token service ${realm.host} not reached`;
    if (!session.stages.some((entry) => entry.name === stage && !entry.ok)) recordStage(session, stage, false, performance.now() - started, where);
    throw error;
  }
  throw new StageStop("registry_error", stage, stageMessage(stage, "No token flow was tried"));
}
