import fs from "node:fs";
import path from "node:path";
import { ADMIN } from "./session";
import { startBerth } from "./server";

export const STATE_FILE = path.join(__dirname, "..", "..", "test-results", "e2e-server.json");

/** One shared server for the suite; tests that need a fresh one start their own. */
export default async function globalSetup() {
  // The shared server is bootstrapped headlessly; the first-run test starts a fresh one of its own.
  const server = await startBerth({ BERTH_ADMIN_EMAIL: ADMIN.email, BERTH_ADMIN_PASSWORD: ADMIN.password, BERTH_COMPANY_NAME: ADMIN.company });
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify({ url: server.url, pid: server.pid, dataDir: server.dataDir }));
  process.env.BERTH_E2E_URL = server.url;
  return async () => {
    await server.stop();
  };
}
