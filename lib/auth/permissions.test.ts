import { describe, expect, it } from "vitest";
import type { Role } from "@/db/schema";
import { OPERATIONS, OPERATION_SCOPE, allowsOn, decide, type Decision, type Operation, type Principal } from "./permissions";
import { SCOPE_VALUES } from "./schemas";

/**
 * The permission table as the product defines it, written out cell by cell. Columns: viewer, member, member + manageRegistries,
 * admin, owner. `own` = "own registries" (delete only what the caller created).
 */
type Cell = "✔" | "403" | "own";
const TABLE: Record<Operation, { cells: [Cell, Cell, Cell, Cell, Cell]; scope: string | "session only" }> = {
  "registries:list": { cells: ["✔", "✔", "✔", "✔", "✔"], scope: "registries:read" }, // list, get, resolve
  "registries:test": { cells: ["403", "✔", "✔", "✔", "✔"], scope: "registries:read" }, // test a saved registry
  "registries:validate": { cells: ["403", "✔", "✔", "✔", "✔"], scope: "registries:write" }, // validate unsaved input
  "registries:write": { cells: ["403", "403", "✔", "✔", "✔"], scope: "registries:write" }, // create, update, activate
  "registries:delete": { cells: ["403", "403", "own", "✔", "✔"], scope: "registries:write" },
  "registries:pull": { cells: ["403", "403", "403", "✔", "✔"], scope: "registries:pull" }, // pull secret
  "company:admin": { cells: ["403", "403", "403", "✔", "✔"], scope: "session only" }, // members, settings, audit log
  "tokens:own": { cells: ["403", "✔", "✔", "✔", "✔"], scope: "session only" }, // own API tokens
};

const COLUMNS: { label: string; role: Role; manageRegistries: boolean }[] = [
  { label: "viewer", role: "viewer", manageRegistries: false },
  { label: "member", role: "member", manageRegistries: false },
  { label: "member+manageRegistries", role: "member", manageRegistries: true },
  { label: "admin", role: "admin", manageRegistries: false },
  { label: "owner", role: "owner", manageRegistries: false },
];

const CELL_DECISION: Record<Cell, Decision> = { "✔": "allow", "403": "deny", own: "own-only" };

/** Every token scope set worth checking: none, each one alone, each pair, all three. */
const SCOPE_SETS: string[][] = [
  [],
  ...SCOPE_VALUES.map((s) => [s]),
  ...SCOPE_VALUES.flatMap((a, i) => SCOPE_VALUES.slice(i + 1).map((b) => [a, b])),
  [...SCOPE_VALUES],
];

const ME = "11111111-1111-4111-8111-111111111111";
const SOMEONE_ELSE = "22222222-2222-4222-8222-222222222222";

const cases = OPERATIONS.flatMap((op) => COLUMNS.map((col, i) => ({ op, col, cell: TABLE[op].cells[i]!, scope: TABLE[op].scope })));

describe("the permission table, cell by cell", () => {
  it("covers exactly the operations the code knows, with the table's scopes", () => {
    expect(Object.keys(TABLE).sort()).toEqual([...OPERATIONS].sort());
    for (const op of OPERATIONS) expect(OPERATION_SCOPE[op] ?? "session only").toBe(TABLE[op].scope);
  });

  describe.each(cases)("$op for $col.label ($cell, token scope $scope)", ({ op, col, cell, scope }) => {
    const base = { role: col.role, manageRegistries: col.manageRegistries, userId: ME };

    it("by session", () => {
      const p: Principal = { ...base, via: "session" };
      expect(decide(p, op)).toBe(CELL_DECISION[cell]);
      expect(allowsOn(p, op, ME)).toBe(cell !== "403");
      expect(allowsOn(p, op, SOMEONE_ELSE)).toBe(cell === "✔");
      expect(allowsOn(p, op, null)).toBe(cell === "✔");
    });

    it.each(SCOPE_SETS.map((scopes) => ({ scopes, label: scopes.join(",") || "no scopes" })))("by token with $label", ({ scopes }) => {
      const p: Principal = { ...base, via: "token", scopes };
      // `registries:pull` includes `registries:read`
      const scopeGranted = scope !== "session only" && (scopes.includes(scope) || (scope === "registries:read" && scopes.includes("registries:pull")));
      const expected: Decision = scopeGranted ? CELL_DECISION[cell] : "deny";
      expect(decide(p, op)).toBe(expected);
      expect(allowsOn(p, op, ME)).toBe(expected !== "deny");
      expect(allowsOn(p, op, SOMEONE_ELSE)).toBe(expected === "allow");
    });
  });

  it("session-only rows answer deny for every token, whatever its role and scopes", () => {
    for (const op of OPERATIONS.filter((o) => TABLE[o].scope === "session only")) {
      for (const col of COLUMNS) {
        const p: Principal = { role: col.role, manageRegistries: true, userId: ME, via: "token", scopes: [...SCOPE_VALUES, "company:admin", "tokens:own"] };
        expect(decide(p, op), `${op} / ${col.label}`).toBe("deny");
      }
    }
  });

  it("manageRegistries only widens a member: a viewer with the flag is still a viewer", () => {
    const viewer: Principal = { role: "viewer", manageRegistries: true, userId: ME, via: "session" };
    expect(decide(viewer, "registries:write")).toBe("deny");
    expect(decide(viewer, "registries:delete")).toBe("deny");
    expect(decide(viewer, "registries:test")).toBe("deny");
  });

  it("a token without a scopes list is denied everything", () => {
    for (const op of OPERATIONS) expect(decide({ role: "owner", manageRegistries: true, userId: ME, via: "token" }, op)).toBe("deny");
  });
});
