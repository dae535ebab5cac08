/**
 * Browser calls to the REST API (session cookie; fetch sends the page's Origin, which the API
 * requires for state-changing requests). Failures become an ApiError carrying the
 * problem+json `detail` and field `errors`, so every caller can show what the server said.
 * Client-safe: no server imports.
 */
import type { TestResult } from "@/lib/registries/connection/types";
import type { ImportAnswer } from "@/lib/registries/docker-config";
import type { RegistryPage } from "@/lib/registries/dto";

export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly errors: FieldProblem[];
  readonly retryAfter: number | null;

  constructor(status: number, detail: string, errors: FieldProblem[] = [], retryAfter: number | null = null) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }
}

export const isAbortError = (err: unknown) => err instanceof DOMException && err.name === "AbortError";

/** Calls the API and parses JSON; throws ApiError for any answer that is not 2xx (and AbortError when cancelled). */
export async function apiJson<T>(url: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? "GET",
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: init.signal,
    });
  } catch (err) {
    if (isAbortError(err)) throw err;
    throw new ApiError(0, "Could not reach Berth. Check your network connection and try again.");
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  const body: unknown = type.includes("json") ? await res.json().catch(() => null) : null;
  if (res.ok) return body as T;

  const problem = (body ?? {}) as { detail?: unknown; title?: unknown; errors?: unknown };
  const retry = Number(res.headers.get("retry-after"));
  const errors = Array.isArray(problem.errors)
    ? problem.errors.filter((e): e is FieldProblem => typeof e?.path === "string" && typeof e?.message === "string")
    : [];
  if (res.status === 401) throw new ApiError(401, "Your session has ended. Reload the page and sign in again.");
  const detail =
    typeof problem.detail === "string" && problem.detail
      ? problem.detail
      : typeof problem.title === "string" && problem.title
        ? problem.title
        : `The server answered ${res.status} ${res.statusText}`.trim();
  throw new ApiError(res.status, detail, errors, Number.isFinite(retry) && retry > 0 ? retry : null);
}

export const registriesUrl = (companyId: string) => `/api/v1/companies/${encodeURIComponent(companyId)}/registries`;

export const PAGE_SIZE = 20;

export interface ListFilters {
  name: string;
  type: string;
  /** A health status, or "" for any. */
  health: string;
}

export function fetchRegistryPage(companyId: string, filters: ListFilters, pageToken: string | null, signal?: AbortSignal) {
  const qs = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.name) qs.set("filter.name", filters.name);
  if (filters.type) qs.set("filter.type", filters.type);
  if (filters.health) qs.set("filter.health", filters.health);
  if (pageToken) qs.set("pagination.token", pageToken);
  return apiJson<RegistryPage>(`${registriesUrl(companyId)}?${qs}`, { signal });
}

/** Test Connection on unsaved input (`POST …/validate`). */
export function validateRegistry(companyId: string, body: unknown, signal?: AbortSignal) {
  return apiJson<TestResult>(`${registriesUrl(companyId)}/validate`, { method: "POST", body, signal });
}

/** Test Connection on a saved registry, optionally with overrides (`POST …/{id}/test`). */
export function testSavedRegistry(companyId: string, id: string, body: { credentials?: Record<string, unknown>; image?: string } = {}, signal?: AbortSignal) {
  return apiJson<TestResult>(`${registriesUrl(companyId)}/${encodeURIComponent(id)}/test`, { method: "POST", body, signal });
}

/** Import from a Docker config (`POST …/import`): the JSON text as pasted or uploaded; `dryRun` only previews. */
export function importDockerConfig(companyId: string, dockerconfigjson: string, dryRun: boolean, signal?: AbortSignal) {
  return apiJson<ImportAnswer>(`${registriesUrl(companyId)}/import`, { method: "POST", body: { dockerconfigjson, dryRun }, signal });
}

/** Query keys: every list of one company starts with the same prefix, so one invalidation refreshes them all. */
export const registryKeys = {
  all: (companyId: string) => ["registries", companyId] as const,
  list: (companyId: string, filters: ListFilters) => ["registries", companyId, "list", { name: filters.name, type: filters.type, health: filters.health }] as const,
};
