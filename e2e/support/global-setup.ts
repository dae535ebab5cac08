import fs from "node:fs";
import path from "node:path";
import { startBerth } from "./server";

export const STATE_FILE = path.join(__dirname, "..", "..", "test-results", "e2e-server.json");

/** One shared server for the suite; tests that need a fresh one start their own. */
export default async function globalSetup() {
  const server = await startBerth();
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify({ url: server.url, pid: server.pid, dataDir: server.dataDir }));
  process.env.BERTH_E2E_URL = server.url;
  return async () => {
    await server.stop();
  };
}
