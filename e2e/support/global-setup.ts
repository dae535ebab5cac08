import fs from "node:fs";
import path from "node:path";
import { startCluster } from "./cluster";
import { ADMIN } from "./session";
import { startBerth } from "./server";

export const STATE_FILE = path.join(__dirname, "..", "..", "test-results", "e2e-server.json");

/**
 * One shared server for the suite; tests that need a fresh one start their own. With
 * BERTH_E2E_CLUSTER=1 the shared server is three instances on one PostgreSQL behind nginx
 * (e2e/support/cluster.ts), all bootstrapped at once, and the specs talk to nginx.
 */
export default async function globalSetup() {
  // The shared server is bootstrapped headlessly; the first-run test starts a fresh one of its own.
  const bootstrap = { BERTH_ADMIN_EMAIL: ADMIN.email, BERTH_ADMIN_PASSWORD: ADMIN.password, BERTH_COMPANY_NAME: ADMIN.company };
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  if (process.env.BERTH_E2E_CLUSTER === "1") {
    const cluster = await startCluster({ env: bootstrap });
    fs.writeFileSync(STATE_FILE, JSON.stringify({ url: cluster.url, nginxPid: cluster.nginxPid, instances: cluster.instances.map((i) => ({ url: i.url, pid: i.pid })) }));
    process.env.BERTH_E2E_URL = cluster.url;
    return async () => {
      const served = await cluster.servedByPort();
      const counts = cluster.instances.map((i) => served.get(i.port) ?? 0);
      console.log(`cluster: requests served per instance through nginx: ${counts.join(", ")}`);
      await cluster.stop();
      // Round robin must have spread the suite's requests: every instance served some.
      if (counts.some((n) => n === 0)) throw new Error(`an instance served no request through nginx (${counts.join(", ")})`);
    };
  }
  const server = await startBerth(bootstrap);
  fs.writeFileSync(STATE_FILE, JSON.stringify({ url: server.url, pid: server.pid, dataDir: server.dataDir }));
  process.env.BERTH_E2E_URL = server.url;
  return async () => {
    await server.stop();
  };
}
