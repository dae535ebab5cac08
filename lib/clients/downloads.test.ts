import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_SCRIPTS, downloadResponse } from "./downloads";

describe("/downloads of the client scripts", () => {
  it.each(CLIENT_SCRIPTS)("%s: the checked source byte for byte, its SHA-256 and ETag; 304 when unchanged; HEAD without a body", async (name) => {
    const source = fs.readFileSync(path.join(__dirname, `${name}.js`));
    const url = `http://127.0.0.1/downloads/${name}`;
    const res = await downloadResponse(new Request(url), name);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(source)).toBe(true);
    const sha256 = createHash("sha256").update(source).digest("hex");
    expect(res.headers.get("x-checksum-sha256")).toBe(sha256);
    expect(res.headers.get("etag")).toBe(`"${sha256.slice(0, 32)}"`);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${name}"`);
    expect(res.headers.get("content-length")).toBe(String(source.length));

    const same = await downloadResponse(new Request(url, { headers: { "If-None-Match": `W/"x", ${res.headers.get("etag")}` } }), name);
    expect(same.status).toBe(304);
    expect(await same.text()).toBe("");
    const changed = await downloadResponse(new Request(url, { headers: { "If-None-Match": `"0000"` } }), name);
    expect(changed.status).toBe(200);

    const head = await downloadResponse(new Request(url, { method: "HEAD" }), name);
    expect(head.status).toBe(200);
    expect(head.headers.get("x-checksum-sha256")).toBe(sha256);
    expect(await head.text()).toBe("");
  });

  it("each script starts with the node shebang and // @ts-check, and loads only node: built-ins", () => {
    for (const name of CLIENT_SCRIPTS) {
      const text = fs.readFileSync(path.join(__dirname, `${name}.js`), "utf8");
      expect(text.startsWith("#!/usr/bin/env node\n// @ts-check\n")).toBe(true);
      // Only node: built-ins: no require or import of anything else.
      const specifiers = [...text.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)|\bfrom\s+["']([^"']+)["']/g)].map((m) => m[1] ?? m[2]);
      expect(specifiers.length).toBeGreaterThan(0);
      for (const s of specifiers) expect(s).toMatch(/^node:/);
    }
  });
});
