/**
 * Local fakes of GitHub's and GitLab's API hosts (127.0.0.1 only) for expiry detection: each
 * knows tokens and what to say of them, and records the requests it got (so a test can show
 * where a token went). Test code only.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeApiRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface GithubToken {
  /** The header value, e.g. `2026-12-31 12:00:00 UTC`; undefined for a token without expiry. */
  expiration?: string;
}

export interface GitlabToken {
  expires_at: string | null;
  scopes: string[];
  revoked: boolean;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const requests: FakeApiRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** GitHub: `GET /user` with `Authorization: token …`; the expiration header for expiring tokens. */
export async function startFakeGithubApi(tokens: Record<string, GithubToken>) {
  return serve((req, res) => {
    const token = /^token (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const known = token ? tokens[token] : undefined;
    if (req.url !== "/user") {
      res.writeHead(404, { "Content-Type": "application/json" }).end('{"message":"Not Found"}');
      return;
    }
    if (!known) {
      res.writeHead(401, { "Content-Type": "application/json" }).end('{"message":"Bad credentials"}');
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json", ...(known.expiration ? { "GitHub-Authentication-Token-Expiration": known.expiration } : {}) });
    res.end('{"login":"octocat"}');
  });
}

/** GitLab: `GET /api/v4/personal_access_tokens/self` with `PRIVATE-TOKEN`. */
export async function startFakeGitlabApi(tokens: Record<string, GitlabToken>) {
  return serve((req, res) => {
    const token = req.headers["private-token"];
    const known = typeof token === "string" ? tokens[token] : undefined;
    if (req.url !== "/api/v4/personal_access_tokens/self") {
      res.writeHead(404, { "Content-Type": "application/json" }).end('{"message":"404 Not Found"}');
      return;
    }
    if (!known) {
      res.writeHead(401, { "Content-Type": "application/json" }).end('{"message":"401 Unauthorized"}');
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ id: 1, name: "berth", ...known }));
  });
}
