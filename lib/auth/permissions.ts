import type { Role, Scope } from "@/db/schema";

/**
 * The permission table: what each role may do, and the token scope each operation needs (none:
 * sessions only). An operation is allowed when the caller's current role allows it and, for an
 * API token, the token carries the operation's scope.
 */
export const OPERATIONS = [
  "registries:list",
  "registries:test",
  "registries:validate",
  "registries:write",
  "registries:delete",
  "registries:pull",
  "company:admin",
  "tokens:own",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The token scope an operation needs; null = sessions only. */
export const OPERATION_SCOPE: Record<Operation, Scope | null> = {
  "registries:list": "registries:read",
  "registries:test": "registries:read",
  "registries:validate": "registries:write",
  "registries:write": "registries:write",
  "registries:delete": "registries:write",
  "registries:pull": "registries:pull",
  "company:admin": null,
  "tokens:own": null,
};

/** Scopes that carry others: a pull token may also read (list, get, resolve) what it pulls. */
export const SCOPE_INCLUDES: Partial<Record<Scope, readonly Scope[]>> = {
  "registries:pull": ["registries:read"],
};

/** Whether a token's scopes grant `scope`, itself or through a scope that includes it. */
export function scopesGrant(scopes: readonly string[], scope: Scope): boolean {
  return scopes.includes(scope) || scopes.some((s) => SCOPE_INCLUDES[s as Scope]?.includes(scope) === true);
}

export interface Principal {
  role: Role;
  manageRegistries: boolean;
  via: "session" | "token";
  scopes?: readonly string[];
  userId: string;
}

export type Decision = "allow" | "deny" | "own-only";

/** What the role allows, before token scopes. `own-only`: delete only registries the caller created. */
export function roleAllows(role: Role, manageRegistries: boolean, op: Operation): Decision {
  if (role === "owner" || role === "admin") return "allow";
  switch (op) {
    case "registries:list":
      return "allow";
    case "registries:test":
    case "registries:validate":
    case "tokens:own":
      return role === "member" ? "allow" : "deny";
    case "registries:write":
      return role === "member" && manageRegistries ? "allow" : "deny";
    case "registries:delete":
      return role === "member" && manageRegistries ? "own-only" : "deny";
    case "registries:pull":
    case "company:admin":
      return "deny";
  }
}

export function decide(p: Principal, op: Operation): Decision {
  if (p.via === "token") {
    const scope = OPERATION_SCOPE[op];
    if (scope === null || !scopesGrant(p.scopes ?? [], scope)) return "deny";
  }
  return roleAllows(p.role, p.manageRegistries, op);
}

/** For a resource with a creator: `own-only` becomes allow when the caller created it. */
export function allowsOn(p: Principal, op: Operation, resourceCreatedBy: string | null): boolean {
  const d = decide(p, op);
  return d === "allow" || (d === "own-only" && resourceCreatedBy === p.userId);
}
