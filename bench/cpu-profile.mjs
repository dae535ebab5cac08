/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): the top functions by self time, and by total
 * (inclusive) time, as shares of the sampled time.
 *
 *   node bench/cpu-profile.mjs FILE.cpuprofile [--top 10] [--total]
 */
import { readFileSync } from "node:fs";

/** @returns {{ total: number, idle: number, rows: { name: string, where: string, self: number, inclusive: number }[] }} */
export function summariseProfile(file) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const d = prof.timeDeltas[i] ?? 0;
    dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + d);
  }
  const keyOf = (n) => {
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "").replace(/.*\/\.next\//, ".next/")}:${f.lineNumber + 1}` : "";
    return { key: `${f.functionName || "(anonymous)"} ${where}`, name: f.functionName || "(anonymous)", where };
  };
  const rows = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of dt) {
    total += us;
    const n = byId.get(id);
    const { key, name, where } = keyOf(n);
    if (name === "(idle)") idle += us;
    const r = rows.get(key) ?? { name, where, self: 0, inclusive: 0 };
    r.self += us;
    rows.set(key, r);
    // Inclusive time: once per distinct function on the sample's stack.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur));
      if (seen.has(k.key)) continue;
      seen.add(k.key);
      const rr = rows.get(k.key) ?? { name: k.name, where: k.where, self: 0, inclusive: 0 };
      rr.inclusive += us;
      rows.set(k.key, rr);
    }
  }
  return { total, idle, rows: [...rows.values()] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  const top = Number(process.argv[process.argv.indexOf("--top") + 1]) || 10;
  const byTotal = process.argv.includes("--total");
  const { total, idle, rows } = summariseProfile(file);
  const skip = new Set(["(root)", "(program)", "(idle)", "(garbage collector)"]);
  const sorted = rows.filter((r) => byTotal ? !skip.has(r.name) : true).sort((a, b) => (byTotal ? b.inclusive - a.inclusive : b.self - a.self));
  console.log(`sampled ${(total / 1000).toFixed(0)} ms, idle ${((100 * idle) / total).toFixed(1)} %`);
  for (const r of sorted.slice(0, top)) console.log(`${((100 * (byTotal ? r.inclusive : r.self)) / total).toFixed(1).padStart(5)} %  ${r.name}  ${r.where}`);
}
