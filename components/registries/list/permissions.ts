import type { RegistryDto } from "@/lib/registries/dto";

/** What the signed-in user may do in the list; the server checks every action again. */
export interface ListPermissions {
  write: boolean;
  test: boolean;
  /** Delete any registry (admins, owners). */
  deleteAll: boolean;
  /** Delete registries one created (members with Manage registries). */
  deleteOwn: boolean;
}

export function canDeleteRegistry(permissions: ListPermissions, row: RegistryDto, userId: string): boolean {
  return permissions.deleteAll || (permissions.deleteOwn && row.createdBy === userId);
}
