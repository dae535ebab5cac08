import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WRAPPER_MARK, wrapServer } from "./assemble-standalone.mjs";

/** A stand-in for Next's standalone server.js: listens at once and echoes the peer header it sees. */
const FAKE_NEXT_SERVER = `
require("http")
  .createServer((req, res) => res.end(String(req.headers["x-berth-peer"])))
  .listen(0, "127.0.0.1", function () { console.log("port " + this.address().port); });
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function fakeStandalone(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-wrap-"));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "server.js"), FAKE_NEXT_SERVER);
  return dir;
}

describe("the standalone server.js", () => {
  it("puts Next's server behind the peer stamp, once", () => {
    const dir = fakeStandalone();
    wrapServer(dir);
    wrapServer(dir);
    expect(fs.readFileSync(path.join(dir, "server.js"), "utf8").startsWith(WRAPPER_MARK)).toBe(true);
    expect(fs.readFileSync(path.join(dir, "next-server.js"), "utf8")).toBe(FAKE_NEXT_SERVER);
    expect(fs.existsSync(path.join(dir, "berth-peer-stamp.mjs"))).toBe(true);
  });

  it("`node server.js` stamps the first request the server accepts, overwriting a forged value", async () => {
    const dir = fakeStandalone();
    wrapServer(dir);
    const child = spawn(process.execPath, ["server.js"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += String(d);
          const m = /port (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.stderr.on("data", (d) => (out += String(d)));
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const seen = await (await fetch(`http://127.0.0.1:${port}/`, { headers: { "x-berth-peer": "10.1.2.3 forged" } })).text();
      expect(seen).toMatch(/^127\.0\.0\.1 [\w-]{43}$/);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
