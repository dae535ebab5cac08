import { describe, expect, it } from "vitest";
import { parseImageName } from "./connection/image-name";
import { registriesForImage, registriesOnHost, type MatchCandidate } from "./image-match";

let n = 0;
function reg(id: string, type: string, url: string, plainHttp = false): MatchCandidate {
  return { id, type, url, plainHttp, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n++)) };
}

const ALL = [
  reg("ghcr", "ghcr", "ghcr.io"),
  reg("ghcr-a", "ghcr", "ghcr.io/org-a"),
  reg("ghcr-a-team", "custom", "ghcr.io/org-a/team"),
  reg("ghcr-public-b", "public", "ghcr.io/org-b"),
  reg("ghcr-b", "ghcr", "ghcr.io/org-b"),
  reg("hub", "dockerhub", "docker.io"),
  reg("hub-public", "public", "docker.io"),
  reg("hub-acme", "dockerhub", "docker.io/acme"),
  reg("local", "custom", "127.0.0.1:5000", true),
  reg("local-team", "custom", "127.0.0.1:5000/team"),
  reg("local-noport", "custom", "127.0.0.1"),
  reg("v6", "custom", "[::1]:5000"),
  reg("localhost", "custom", "localhost:5000"),
  reg("ecr-any", "ecr", "dkr.ecr.eu-west-1.amazonaws.com"),
  reg("ecr-known", "ecr", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
  reg("ecr-other-region", "ecr", "dkr.ecr.us-east-1.amazonaws.com"),
];

function resolveIds(image: string, candidates = ALL): string[] {
  const parsed = parseImageName(image);
  if (!parsed.ok) throw new Error(parsed.message);
  return registriesForImage(parsed.value, candidates).map((c) => c.id);
}

describe("registriesForImage: host, then the longest path prefix", () => {
  it.each([
    ["ghcr.io/org-a/api:v1", "ghcr-a"],
    ["ghcr.io/org-a/team/api", "ghcr-a-team"],
    ["ghcr.io/org-a/teamwork/api", "ghcr-a"], // a prefix matches at a `/` only
    ["ghcr.io/org-a", "ghcr-a"],
    ["ghcr.io/org-c/api", "ghcr"],
    ["ghcr.io/org-b/api", "ghcr-b"], // credentials beat public at the same prefix
    ["postgres:17-alpine", "hub"],
    ["docker.io/library/postgres", "hub"],
    ["index.docker.io/acme/app", "hub-acme"],
    ["acme/app", "hub-acme"],
    ["127.0.0.1:5000/team/app", "local-team"],
    ["127.0.0.1:5000/other/app", "local"],
    ["127.0.0.1/app", "local-noport"],
    ["[0::1]:5000/x", "v6"],
    ["LOCALHOST:5000/x", "localhost"],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api", "ecr-known"], // its own host beats the placeholder
    ["999999999999.dkr.ecr.eu-west-1.amazonaws.com/team/api", "ecr-any"],
    ["999999999999.dkr.ecr.us-east-1.amazonaws.com/x", "ecr-other-region"],
  ])("%s → %s", (image, id) => {
    expect(resolveIds(image)[0]).toBe(id);
  });

  it("lists every match best first", () => {
    expect(resolveIds("ghcr.io/org-a/team/api")).toEqual(["ghcr-a-team", "ghcr-a", "ghcr"]);
    expect(resolveIds("ghcr.io/org-b/x")).toEqual(["ghcr-b", "ghcr-public-b", "ghcr"]);
    expect(resolveIds("redis")).toEqual(["hub", "hub-public"]);
  });

  it.each(["quay.io/org/app", "127.0.0.1:5001/x", "localhost/x", "999999999999.dkr.ecr.ap-south-1.amazonaws.com/x", "ghcr.io.evil.example/org-a/x"])("%s matches nothing", (image) => {
    expect(resolveIds(image)).toEqual([]);
  });

  it("prefers the oldest of equals", () => {
    const older = reg("older", "public", "quay.io");
    const newer = reg("newer", "public", "quay.io");
    expect(resolveIds("quay.io/x", [newer, older])).toEqual(["older", "newer"]);
  });
});

describe("registriesOnHost: every prefix on the host", () => {
  it("selects all path prefixes, Docker Hub's aliases, and the ECR placeholder for its region", () => {
    expect(registriesOnHost("ghcr.io", ALL).map((c) => c.id)).toEqual(["ghcr-a-team", "ghcr-a", "ghcr-b", "ghcr-public-b", "ghcr"]);
    expect(registriesOnHost("index.docker.io", ALL).map((c) => c.id)).toEqual(["hub-acme", "hub", "hub-public"]);
    expect(registriesOnHost("127.0.0.1:5000", ALL).map((c) => c.id)).toEqual(["local-team", "local"]);
    expect(registriesOnHost("[::1]:5000", ALL).map((c) => c.id)).toEqual(["v6"]);
    expect(registriesOnHost("555555555555.dkr.ecr.eu-west-1.amazonaws.com", ALL).map((c) => c.id)).toEqual(["ecr-any"]);
    expect(registriesOnHost("gcr.io", ALL)).toEqual([]);
  });
});
