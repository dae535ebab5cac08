import { describe, expect, it } from "vitest";
import { parseImageDomain, parseImageName, splitImageName } from "./image-name";

const SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SHA512 = `${SHA}${SHA}`;

/** [reference, normalised name, tag, digest] as `docker pull` reads them. */
const VALID: [string, string, string | undefined, string | undefined][] = [
  ["postgres", "docker.io/library/postgres", undefined, undefined],
  ["postgres:17-alpine", "docker.io/library/postgres", "17-alpine", undefined],
  ["library/postgres:17", "docker.io/library/postgres", "17", undefined],
  ["docker.io/postgres", "docker.io/library/postgres", undefined, undefined],
  ["docker.io/library/postgres", "docker.io/library/postgres", undefined, undefined],
  ["index.docker.io/postgres", "docker.io/library/postgres", undefined, undefined],
  ["index.docker.io/team/app:1", "docker.io/team/app", "1", undefined],
  ["docker.io/x", "docker.io/library/x", undefined, undefined],
  ["registry-1.docker.io/x", "registry-1.docker.io/x", undefined, undefined],
  ["team/app", "docker.io/team/app", undefined, undefined],
  ["team/sub/app:v1", "docker.io/team/sub/app", "v1", undefined],
  ["ghcr.io/org/api:v2.1.0", "ghcr.io/org/api", "v2.1.0", undefined],
  ["GHCR.IO/org/api", "ghcr.io/org/api", undefined, undefined],
  ["ghcr.io/org-a/team/api", "ghcr.io/org-a/team/api", undefined, undefined],
  ["localhost/x", "localhost/x", undefined, undefined],
  ["localhost:5000/x", "localhost:5000/x", undefined, undefined],
  ["localhost:5000/team/app:1.0", "localhost:5000/team/app", "1.0", undefined],
  ["localhost", "docker.io/library/localhost", undefined, undefined],
  ["localhost:5000", "docker.io/library/localhost", "5000", undefined],
  ["127.0.0.1:5000/team/app", "127.0.0.1:5000/team/app", undefined, undefined],
  ["host:5000/a/b@sha256:" + SHA, "host:5000/a/b", undefined, `sha256:${SHA}`],
  ["host:5000/a/b:v1@sha256:" + SHA, "host:5000/a/b", "v1", `sha256:${SHA}`],
  ["app@sha512:" + SHA512, "docker.io/library/app", undefined, `sha512:${SHA512}`],
  ["[::1]:5000/x", "[::1]:5000/x", undefined, undefined],
  ["[::1]/x:2", "[::1]/x", "2", undefined],
  ["[0:0::1]:5000/x", "[::1]:5000/x", undefined, undefined],
  ["[2001:db8::1]:443/team/app:v1", "[2001:db8::1]:443/team/app", "v1", undefined],
  ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.0", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api", "1.0", undefined],
  ["europe-west1-docker.pkg.dev/proj/repo/img", "europe-west1-docker.pkg.dev/proj/repo/img", undefined, undefined],
  ["my.registry:5000/a__b/c-d/e.f:tag_1", "my.registry:5000/a__b/c-d/e.f", "tag_1", undefined],
  ["a/b---c:LATEST", "docker.io/a/b---c", "LATEST", undefined],
  ["x:" + "t".repeat(128), "docker.io/library/x", "t".repeat(128), undefined],
];

/** [reference, part of the reason] that Docker refuses. */
const INVALID: [string, RegExp][] = [
  ["", /empty/],
  ["Team/App", /lower case/],
  ["ghcr.io/Org/api", /lower case \("Org"\)/],
  ["UPPER", /lower case/],
  ["ghcr.io//api", /empty part/],
  ["ghcr.io/org/", /empty part/],
  ["/api", /registry host is empty/],
  ["ghcr.io/", /repository path is empty/],
  ["app:", /tag after ':' is empty/],
  ["app:-bad", /tag "-bad"/],
  ["app:" + "t".repeat(129), /tag/],
  ["app@sha256:short", /digest "sha256:short"/],
  ["app@sha256:" + SHA.toUpperCase(), /lower case/],
  ["app@md5:" + SHA, /algorithm "md5" is not supported/],
  ["app@sha256:" + SHA + "00", /64 hex digits, not 66/],
  ["app@", /digest "" is not/],
  ["app name", /spaces/],
  ["quay.io/org+bot/x", /"org\+bot" is not a repository name part/],
  ["-app", /not a repository name part/],
  ["a..b", /not a repository name part/],
  ["host:99999/x", /port "99999"/],
  ["host:/x", /port ""/],
  ["[::1/x", /unclosed \[/],
  ["[nope]:5000/x", /not an IPv6 address/],
  ["-bad-.example.com/x", /not a valid registry host/],
  [SHA, /image ID/],
  ["r.example/" + "a".repeat(250), /longer than 255/],
];

describe("image references, read as Docker reads them", () => {
  it("has a table of at least 40 references", () => {
    expect(VALID.length + INVALID.length).toBeGreaterThanOrEqual(40);
  });

  it.each(VALID)("%s → %s", (reference, name, tag, digest) => {
    const parsed = parseImageName(reference);
    expect(parsed).toMatchObject({ ok: true });
    if (!parsed.ok) return;
    expect(parsed.value.name).toBe(name);
    expect(`${parsed.value.domain}/${parsed.value.path}`).toBe(name);
    expect(parsed.value.tag).toBe(tag);
    expect(parsed.value.digest).toBe(digest);
  });

  it.each(INVALID)("refuses %j", (reference, reason) => {
    const parsed = parseImageName(reference);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toMatch(reason);
  });

  it("tells a relative reference (no domain) from one naming its registry", () => {
    expect(splitImageName("team/app:1")).toEqual({ ok: true, value: { path: "team/app", tag: "1" } });
    expect(splitImageName("ghcr.io/team/app")).toEqual({ ok: true, value: { domain: "ghcr.io", path: "team/app" } });
    // Docker's rule: a first part with upper case is a host (and then the rest is checked)
    expect(splitImageName("Registry/app")).toEqual({ ok: true, value: { domain: "registry", path: "app" } });
  });

  it("parses registry hosts the same way (the pull-secret `hosts` selector)", () => {
    expect(parseImageDomain("ghcr.io")).toEqual({ ok: true, value: "ghcr.io" });
    expect(parseImageDomain("127.0.0.1:5000")).toEqual({ ok: true, value: "127.0.0.1:5000" });
    expect(parseImageDomain("[0::1]:05000")).toEqual({ ok: true, value: "[::1]:5000" });
    expect(parseImageDomain("ghcr.io/org").ok).toBe(false);
    expect(parseImageDomain("https://ghcr.io").ok).toBe(false);
  });
});
