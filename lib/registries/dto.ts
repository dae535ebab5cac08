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
