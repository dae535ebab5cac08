/**
 * Test Connection: format → (aws-auth: an exchange first, ECR) → dns → policy → tcp → tls →
 * ping (`GET /v2/`) → challenge → token → auth (authenticated `GET /v2/`) →
 * pull (optional `HEAD` of a manifest). Expected failures are results;
 * only bugs throw.
 */
import "server-only";
import { apiVersionOf, challengesOf, looksLikeRegistry } from "./answers";
import { selectChallenge, type SelectedChallenge } from "./challenge";
import { Deadline } from "./deadline";
import { checkFormat, type PreparedInput } from "./format";
import { stageMessage, STAGE_LABELS } from "./messages";
import { NetworkFailure } from "./network-errors";
import { hintsOf } from "./hints";
import { redact, secretVariants } from "./redact";
import { recordStage, runStage, StageStop, stopForNetwork, stopForStatus, type Session } from "./session";
import { apiOrigin, parseImageReference, parseRegistryHost, urlHost } from "./target";
import { basicAuthorization, fetchToken } from "./token";
import { defaultLookup, request, type HttpResponse, type TransportSettings } from "./transport";
import { getRegistryType, type ExchangeStage } from "@/lib/registries/types";
import type { ConnectionInput, ExchangeStep, StageName, TestConnectionOptions, TestResult, TestStatus } from "./types";

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Manifest media types accepted by the pull check (OCI and Docker, single and multi-arch). */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
].join(", ");

interface Outcome {
  status: TestStatus;
  stage: StageName;
  message: string;
}

type PingOutcome = { kind: "anonymous" } | { kind: "challenge"; challenge: SelectedChallenge };

function registryUrl(session: Session, path: string): URL {
  return new URL(path, apiOrigin(session.prepared.target));
}

/** `GET /v2/` with the first connection's stages traced. */
async function ping(session: Session): Promise<HttpResponse> {
  let connectedAt = performance.now();
  const trace = (name: "dns" | "policy" | "tcp" | "tls", ok: boolean, ms: number, detail?: string) => {
    recordStage(session, name, ok, ms, detail);
    connectedAt = performance.now();
  };
  try {
    const response = await request({ method: "GET", url: registryUrl(session, "/v2/") }, session.settings, trace);
    recordStage(session, "ping", true, performance.now() - connectedAt, `HTTP ${response.status}`);
    Object.assign(session.details, {
      address: response.address,
      apiVersion: apiVersionOf(response),
      ...(response.tlsProtocol ? { tlsProtocol: response.tlsProtocol } : {}),
      ...(response.redirects ? { redirects: response.redirects } : {}),
    });
    return response;
  } catch (error) {
    if (!(error instanceof NetworkFailure)) throw error;
    const failed = session.stages.find((entry) => !entry.ok);
    if (failed) throw stopForNetwork(error, failed.name);
    recordStage(session, "ping", false, performance.now() - connectedAt);
    throw stopForNetwork(error, "ping");
  }
}

function readPing(session: Session, response: HttpResponse): PingOutcome {
  const what = `GET /v2/ on ${session.prepared.target.displayHost}`;
  if (response.status === 200) {
    if (looksLikeRegistry(response)) return { kind: "anonymous" };
    throw new StageStop("not_a_registry", "ping", stageMessage("ping", `${what} answered 200 with something that is not a registry API (a web page?)`, "Check the URL: enter the registry's host, not a web UI address."), { httpStatus: 200 });
  }
  if (response.status !== 401) {
    const stop = stopForStatus(session, "ping", what, response);
    const notFoundHint = hintsOf(session.prepared.type).notFoundHint;
    if (response.status === 404 && notFoundHint) throw new StageStop(stop.status, stop.stage, `${stop.message} ${notFoundHint}`, stop.details);
    throw stop;
  }
  return { kind: "challenge", challenge: readChallenge(session, response, what) };
}

function readChallenge(session: Session, response: HttpResponse, what: string): SelectedChallenge {
  const started = performance.now();
  const challenges = challengesOf(response);
  const selected = selectChallenge(challenges);
  if (!selected) {
    recordStage(session, "challenge", false, performance.now() - started);
    const schemes = challenges.map((challenge) => challenge.scheme).join(", ");
    throw schemes
      ? new StageStop("registry_error", "challenge", stageMessage("challenge", `${what} asks for ${schemes} authentication, which registries do not use`, "Berth supports Basic and Bearer (token) authentication."), { httpStatus: 401 })
      : new StageStop("not_a_registry", "challenge", stageMessage("challenge", `${what} answered 401 without a WWW-Authenticate challenge`, "A registry names its authentication scheme; check the URL and any proxy in front of it."), { httpStatus: 401 });
  }
  session.details.authScheme = selected.scheme;
  const detail = selected.scheme === "bearer" ? `Bearer realm ${selected.realm}${selected.service ? `, service ${selected.service}` : ""}` : "Basic";
  recordStage(session, "challenge", true, performance.now() - started, detail);
  return selected;
}

/** The `Authorization` header answering the challenge (a token request for Bearer). */
async function authorizationFor(session: Session, challenge: SelectedChallenge, scope: string | undefined, stage: StageName): Promise<string> {
  if (challenge.scheme === "bearer") return `Bearer ${await fetchToken(session, challenge, scope, stage)}`;
  const credentials = session.prepared.credentials;
  if (!credentials) {
    throw new StageStop("invalid_credentials", stage, stageMessage(stage, `${session.prepared.target.displayHost} requires a username and password (Basic)`, hintsOf(session.prepared.type).credentialHint));
  }
  return basicAuthorization(credentials);
}

async function signIn(session: Session, challenge: SelectedChallenge): Promise<string> {
  let authorization: string | undefined;
  if (challenge.scheme === "bearer") {
    authorization = await runStage(session, "token", () => authorizationFor(session, challenge, undefined, "token"), () => (session.prepared.credentials ? `token from ${session.details.realmHost} (the credentials were sent there)` : `anonymous token from ${session.details.realmHost}`));
  }
  return runStage(
    session,
    "auth",
    async () => {
      const header = authorization ?? (await authorizationFor(session, challenge, undefined, "auth"));
      const response = await request({ method: "GET", url: registryUrl(session, "/v2/"), headers: { Authorization: header } }, session.settings);
      if (response.status !== 200) throw stopForStatus(session, "auth", `GET /v2/ with ${challenge.scheme === "bearer" ? "the token" : "the credentials"}`, response);
      return header;
    },
    () => "GET /v2/ 200",
  );
}

function manifestRequest(session: Session, authorization: string | undefined) {
  const image = session.prepared.image;
  if (!image) throw new Error("manifestRequest without an image");
  const url = registryUrl(session, `/v2/${image.repository}/manifests/${encodeURIComponent(image.reference)}`);
  return request({ method: "HEAD", url, headers: { Accept: MANIFEST_ACCEPT, ...(authorization ? { Authorization: authorization } : {}) } }, session.settings);
}

function pullStop(session: Session, response: HttpResponse): StageStop {
  const image = session.prepared.image?.text ?? "";
  const rules = hintsOf(session.prepared.type);
  const who = session.prepared.credentials ? "Signed in, but pulling" : "Pulling";
  const how = session.prepared.credentials ? "" : " anonymously";
  if (response.status === 401 || response.status === 403) {
    return new StageStop("forbidden", "pull", stageMessage("pull", `${who} ${image}${how} is not allowed (${response.status})`, rules.permissionHint), { httpStatus: response.status });
  }
  if (response.status === 404) {
    return new StageStop("forbidden", "pull", stageMessage("pull", `${image} was not found or is not visible${how || " to these credentials"} (404)`, "Check the repository name, the tag and the path prefix, and the account's access to it."), { httpStatus: 404 });
  }
  return stopForStatus(session, "pull", `HEAD of the ${image} manifest`, response);
}

/** Bearer: a token scoped to the repository; Basic: the login's header (or the credentials now). */
async function pullAuthorization(session: Session, challenge: SelectedChallenge | undefined, loginAuthorization: string | undefined, scope: string) {
  if (challenge?.scheme === "bearer") return authorizationFor(session, challenge, scope, "pull");
  if (loginAuthorization || !challenge) return loginAuthorization;
  return authorizationFor(session, challenge, scope, "pull");
}

/** `HEAD` of the image's manifest, answering `challenge` first. */
async function pullWith(session: Session, challenge: SelectedChallenge | undefined, loginAuthorization: string | undefined): Promise<void> {
  const image = session.prepared.image;
  if (!image) return;
  const authorization = await pullAuthorization(session, challenge, loginAuthorization, `repository:${image.repository}:pull`);
  const response = await manifestRequest(session, authorization);
  if (response.status === 401 && challenge?.scheme === "basic" && !loginAuthorization) {
    // First use of the credentials (anonymous /v2/): a 401 here means they are wrong.
    throw stopForStatus(session, "pull", `HEAD of the ${image.repository} manifest with the credentials`, response);
  }
  if (response.status !== 200) throw pullStop(session, response);
  session.details.pullVerified = true;
}

function pullDetail(session: Session): string {
  const image = session.prepared.image;
  return image ? `HEAD ${image.repository}:${image.reference} manifest 200` : "";
}

/** Proves pull access with the login's challenge (Bearer gets a repository-scoped token). */
async function checkPull(session: Session, challenge: SelectedChallenge, loginAuthorization: string): Promise<void> {
  const image = session.prepared.image;
  if (!image) return;
  session.details.image = `${image.repository}:${image.reference}`;
  await runStage(session, "pull", () => pullWith(session, challenge, loginAuthorization), () => pullDetail(session));
}

/**
 * Anonymous registry: with an image, try it anonymously; a registry that
 * then challenges for that repository gets the credentials, which verifies them.
 */
async function anonymousPull(session: Session): Promise<boolean> {
  const { prepared } = session;
  const image = prepared.image;
  if (!image) return false;
  session.details.image = `${image.repository}:${image.reference}`;
  return runStage(
    session,
    "pull",
    async () => {
      const first = await manifestRequest(session, undefined);
      if (first.status === 200) {
        session.details.pullVerified = true;
        return false;
      }
      const challenge = first.status === 401 && prepared.credentials ? selectChallenge(challengesOf(first)) : undefined;
      if (!challenge) throw pullStop(session, first);
      session.details.authScheme = challenge.scheme;
      await pullWith(session, challenge, undefined);
      return true;
    },
    () => pullDetail(session),
  );
}

async function anonymousRegistry(session: Session): Promise<Outcome> {
  const { prepared } = session;
  session.details.authScheme = "none";
  const host = prepared.target.displayHost;
  const verified = await anonymousPull(session);
  const pulled = prepared.image ? ` ${prepared.image.text} can be pulled` : "";
  if (verified && prepared.credentials) {
    return { status: "success", stage: "pull", message: `Signed in to ${host} as ${prepared.credentials.username}:${pulled} with these credentials.` };
  }
  if (!prepared.credentials) {
    return { status: "success", stage: prepared.image ? "pull" : "ping", message: `Reached ${host}: it needs no credentials.${pulled ? `${pulled} anonymously.` : ""}` };
  }
  recordStage(session, "auth", true, 0, "not needed: the registry answered anonymously");
  return {
    status: "not_verified",
    stage: "auth",
    message: `${host} answered without asking for credentials, so they were not checked${prepared.image ? `;${pulled} anonymously` : ""}. Pulls work; give an image the registry protects to verify the credentials.`,
  };
}

async function challengedRegistry(session: Session, challenge: SelectedChallenge): Promise<Outcome> {
  const { prepared } = session;
  const host = prepared.target.displayHost;
  const authorization = await signIn(session, challenge);
  await checkPull(session, challenge, authorization);
  const pulled = prepared.image ? ` and can pull ${prepared.image.text}` : "";
  const stage: StageName = prepared.image ? "pull" : "auth";
  if (!prepared.credentials) {
    return { status: "success", stage, message: `Reached ${host}: anonymous access works (no credentials needed)${pulled}.` };
  }
  return { status: "success", stage, message: `Signed in to ${host} as ${prepared.credentials.username} (${challenge.scheme === "bearer" ? "token" : "basic"} authentication)${pulled}.` };
}

/**
 * The exchange stage (ECR's `aws-auth`): the provider's API turns the stored credentials into a
 * registry password, and the registry stages then run against the host it was issued for, with
 * that password. The password joins the secrets redacted from the result.
 */
async function exchangeCredentials(session: Session, exchange: ExchangeStep, stage: ExchangeStage, options: TestConnectionOptions): Promise<void> {
  const started = performance.now();
  const login = await runStage(
    session,
    stage,
    () => exchange({ policy: options.policy, lookup: session.settings.lookup, deadline: session.settings.deadline }),
    (value) => `${value.cached ? "cached token" : `GetAuthorizationToken at ${value.endpoint}`} for ${value.host}, valid until ${value.expiresAt.toISOString()}`,
  );
  session.secrets.push(...secretVariants(login.username, login.password));
  session.warnings.push(...(login.warnings ?? []));
  const target = parseRegistryHost(login.host, login.plainHttp);
  if (!target.ok) {
    throw new StageStop("registry_error", stage, stageMessage(stage, `The registry address returned by ${login.endpoint} is not usable (${target.message})`));
  }
  const { prepared } = session;
  let image = prepared.image;
  if (image) {
    // An image named by the configured host (or a host the placeholder stands for) is this
    // registry's; at a provider host the returned host itself must be the image's.
    const type = getRegistryType(prepared.type);
    const configured = prepared.target.displayHost;
    const atProvider = type?.hostPattern.regex?.test(target.value.hostname) === true;
    const standsFor = (domain: string) => !atProvider && (domain === configured || type?.learnsHost?.matches(domain, configured) === true);
    const reparsed = parseImageReference(image.text, target.value, standsFor);
    if (!reparsed.ok) throw new StageStop("invalid_input", stage, stageMessage(stage, `${reparsed.message} These credentials are for ${target.value.displayHost}`));
    image = { ...reparsed.value, text: image.text };
  }
  session.prepared = { ...prepared, target: target.value, plainHttp: login.plainHttp, credentials: { username: login.username, password: login.password }, image };
  session.settings = { ...session.settings, allowPlainHttp: login.plainHttp };
  session.details.registryHost = registryHostOf(session.prepared);
  session.details.exchange = {
    endpoint: login.endpoint,
    registryHost: target.value.displayHost,
    expiresAt: login.expiresAt.toISOString(),
    cached: login.cached,
    ms: Math.round(performance.now() - started),
  };
}

async function probe(session: Session, options: TestConnectionOptions): Promise<Outcome> {
  const signIn = getRegistryType(session.prepared.type)?.signIn({});
  if (signIn?.kind === "exchange" && options.exchange) await exchangeCredentials(session, options.exchange, signIn.stage, options);
  const response = await ping(session);
  const outcome = readPing(session, response);
  return outcome.kind === "anonymous" ? anonymousRegistry(session) : challengedRegistry(session, outcome.challenge);
}

/** `host[:port]` the API is called at (Docker Hub: registry-1.docker.io). */
function registryHostOf(prepared: PreparedInput): string {
  const { target } = prepared;
  const host = urlHost(target.apiHostname);
  return target.displayHost === urlHost(target.hostname) ? host : `${host}:${target.port}`;
}

function settingsFor(prepared: PreparedInput, options: TestConnectionOptions, deadline: Deadline): TransportSettings {
  return {
    policy: options.policy,
    lookup: options.lookup ?? defaultLookup,
    allowPlainHttp: prepared.plainHttp,
    caPem: prepared.caPem,
    insecureSkipVerify: prepared.insecureSkipVerify,
    deadline,
  };
}

function cancelledOutcome(stop: StageStop): Outcome {
  return { status: "timeout", stage: stop.stage, message: `${STAGE_LABELS[stop.stage]}: the test was cancelled before it finished.` };
}

/** Runs Test Connection; see the module comment. Never throws for an expected failure. */
export async function testConnection(input: ConnectionInput, options: TestConnectionOptions): Promise<TestResult> {
  const startedAt = performance.now();
  const secrets = secretVariants(input.username, input.password);
  const finish = (outcome: Outcome, session: Pick<Session, "stages" | "details" | "warnings" | "secrets">): TestResult =>
    redact(
      {
        ok: outcome.status === "success",
        status: outcome.status,
        stage: outcome.stage,
        message: outcome.message,
        latencyMs: Math.round(performance.now() - startedAt),
        stages: session.stages,
        details: session.details,
        warnings: session.warnings,
      },
      [...secrets, ...session.secrets],
    );

  const formatStarted = performance.now();
  const format = checkFormat(input, { exchange: Boolean(options.exchange) });
  const formatMs = performance.now() - formatStarted;
  if (!format.ok) {
    const stages = [{ name: "format" as const, ok: false, ms: Math.round(formatMs), detail: `field ${format.path}` }];
    const status: TestStatus = format.unsupported ? "not_supported" : "invalid_input";
    return finish({ status, stage: "format", message: stageMessage("format", format.message) }, { stages, details: {}, warnings: format.warnings, secrets: [] });
  }
  const prepared = format.value;
  const deadline = new Deadline(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.signal);
  const session: Session = {
    prepared,
    settings: settingsFor(prepared, options, deadline),
    stages: [{ name: "format", ok: true, ms: Math.round(formatMs) }],
    details: { registryHost: registryHostOf(prepared) },
    warnings: [...prepared.warnings],
    secrets: [],
  };
  try {
    return finish(await probe(session, options), session);
  } catch (error) {
    if (error instanceof NetworkFailure) error = stopForNetwork(error, session.stages.at(-1)?.name ?? "ping");
    if (!(error instanceof StageStop)) throw error;
    Object.assign(session.details, error.details);
    if (deadline.cancelled && error.status === "timeout") {
      session.details.cancelled = true;
      return finish(cancelledOutcome(error), session);
    }
    return finish({ status: error.status, stage: error.stage, message: error.message }, session);
  }
}
