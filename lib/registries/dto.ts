import type { Health } from "@/lib/health/health";
import type { RegistryTypeKey } from "./schemas";

/** What the API and the pages show of a registry: never a secret value, only which are set. */
export interface RegistryDto {
  id: string;
  companyIdRef: string;
  type: RegistryTypeKey;
  name: string;
  url: string;
  plainHttp: boolean;
  isActive: boolean;
  isDeleted: boolean;
  credentials: Record<string, string | boolean>;
  secretsSet: string[];
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  createdByEmail: string | null;
  modifiedBy: string | null;
  lastUsedAt: string | null;
  /** When the credentials expire (set by hand or read from the provider); null when unknown. */
  expiresAt: string | null;
  /** Where `expiresAt` came from and what the last detection said (none for types that cannot tell). */
  expiry: RegistryExpiryDto;
  /** For exchanged credentials (ECR): when the last successful exchange happened. */
  lastExchangeAt: string | null;
  lastTest: { status: string; message: string; checkedAt: string } | null;
  /** Checked on the schedule (an opted-out registry is tested only by hand). */
  scheduledChecks: boolean;
  health: Health;
  version: number;
  warnings: { path: string; message: string }[];
}

export interface RegistryPage {
  items: RegistryDto[];
  limit: number;
  nextPageToken: string | null;
}

export interface RegistryExpiryDto {
  source: "user" | "detected" | null;
  /** When the provider was last asked (opt-in registries of GitHub and GitLab). */
  checkedAt: string | null;
  /** What the provider said last (null: no expiry, or not asked yet). */
  detectedExpiresAt: string | null;
  message: string | null;
}
