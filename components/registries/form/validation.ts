import { zodResolver } from "@hookform/resolvers/zod";
import type { FieldErrors, Resolver } from "react-hook-form";
import type { RegistryDto } from "@/lib/registries/dto";
import { storedSecretsRule } from "@/lib/registries/binding";
import {
  createRegistrySchema,
  getRegistryType,
  replaceRegistrySchema,
  type FieldIssue,
  type RegistryCredentials,
  type RegistryInput,
  type RegistryInputIn,
} from "@/lib/registries/schemas";

export type Mode = "create" | "edit";
export type EditedRegistry = Pick<RegistryDto, "id" | "name" | "type" | "url" | "plainHttp" | "isActive" | "scheduledChecks" | "credentials" | "secretsSet" | "version" | "expiresAt">;

/** The zod schema the server validates this form's input with: create, or replace ("leave blank to keep" secrets). */
export const schemaFor = (mode: Mode) => (mode === "create" ? createRegistrySchema : replaceRegistrySchema);

/** Only the chosen type's fields are sent: values typed for another type stay in the form (switch back and they are still there) but never reach the server. */
export function forType(values: RegistryInputIn, savedExpiresAt?: string | null): RegistryInputIn {
  const keys = new Set<string>(getRegistryType(values.type)?.fields.map((f) => f.name) ?? []);
  const credentials = Object.fromEntries(Object.entries(values.credentials ?? {}).filter(([key]) => keys.has(key)));
  const expiresAt = expiresAtForBody(values.type, values.expiresAt, savedExpiresAt);
  return { name: values.name, type: values.type, ...(typeof values.scheduledChecks === "boolean" ? { scheduledChecks: values.scheduledChecks } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}), credentials };
}

/** A time as a `datetime-local` input shows it (the browser's time zone, to the minute); "" for none. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The form's "Token expires on" (a `datetime-local` value) as the body's `expiresAt`: an ISO
 * time, null to clear, or left out when unchanged from the saved one (so saving an edit form
 * never turns a detected date into one set by hand). Exchanged credentials (ECR) have none.
 */
function expiresAtForBody(type: string, local: string | null | undefined, saved: string | null | undefined): string | null | undefined {
  if (getRegistryType(type)?.signIn({}).kind === "exchange") return undefined;
  const value = typeof local === "string" ? local.trim() : "";
  if (saved !== undefined && value === toLocalInput(saved)) return undefined;
  if (value === "") return saved === undefined ? undefined : null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? value : at.toISOString();
}

function nonBlank(credentials: RegistryInputIn["credentials"]): RegistryCredentials {
  return Object.fromEntries(
    Object.entries(credentials ?? {}).filter(([, v]) => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "")),
  ) as RegistryCredentials;
}

/** What an edit changes: the binding (what, from → to) and which credentials must be entered. */
export type EditAnalysis = ReturnType<typeof editAnalysis>;

/** Edit form: the server's rule for stored secrets (none are kept once the binding changes). */
export function editAnalysis(values: RegistryInputIn, registry: EditedRegistry) {
  const input = forType({ ...values, type: registry.type });
  const parsed = replaceRegistrySchema.safeParse(input);
  const credentials = parsed.success ? parsed.data.credentials : nonBlank(input.credentials);
  const { bindingChange, missing } = storedSecretsRule({ ...registry, secretFields: registry.secretsSet }, credentials, { given: [], cleared: [] });
  return { bindingChange, missing };
}

function withIssues(errors: FieldErrors<RegistryInputIn>, issues: FieldIssue[]): FieldErrors<RegistryInputIn> {
  const out = { ...errors, credentials: { ...(errors.credentials ?? {}) } } as Record<string, unknown> & { credentials: Record<string, unknown> };
  for (const issue of issues) {
    const key = issue.path.replace(/^credentials\./, "");
    if (issue.path.startsWith("credentials.") && !out.credentials[key]) out.credentials[key] = { type: "custom", message: issue.message };
  }
  if (Object.keys(out.credentials).length === 0) delete (out as { credentials?: unknown }).credentials;
  return out as FieldErrors<RegistryInputIn>;
}

/** The form's resolver: the server's schema on the chosen type's fields, plus (edit) the secrets a changed binding needs again. */
export function makeResolver(mode: Mode, registry: EditedRegistry | undefined): Resolver<RegistryInputIn, unknown, RegistryInput> {
  const base = zodResolver(schemaFor(mode));
  return async (values, context, options) => {
    const result = await base(forType(values, registry ? registry.expiresAt : undefined), context, options);
    if (mode !== "edit" || !registry) return result;
    const { missing } = editAnalysis(values, registry);
    if (missing.length === 0) return result;
    return { values: {}, errors: withIssues(result.errors, missing) };
  };
}
