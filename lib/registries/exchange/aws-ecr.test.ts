/** The checks of GetAuthorizationToken's answer that need no connection: where the token may go. */
import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { StageStop } from "../connection/session";
import { checkProxyEndpoint, ecrEndpoint, type EcrKeys } from "./aws-ecr";

const KEYS: EcrKeys = { accessKeyId: "AKIAABCDEFGHIJKLMNOP", secretAccessKey: "x".repeat(40), region: "eu-west-1" };
const AWS = { url: new URL("https://api.ecr.eu-west-1.amazonaws.com/"), overridden: false };
const OVERRIDE = { url: new URL("https://vpce-1.api.ecr.eu-west-1.vpce.amazonaws.com/"), overridden: true };
const EMULATOR = { url: new URL("http://localstack.internal:4566/"), overridden: true };

function refusal(run: () => unknown): StageStop {
  try {
    run();
  } catch (error) {
    if (error instanceof StageStop) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("checkProxyEndpoint: the registry the token may be sent to", () => {
  it("from AWS: the key's account registry in its region", () => {
    expect(checkProxyEndpoint("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", KEYS, AWS)).toEqual({ host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", plainHttp: false });
    expect(checkProxyEndpoint("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", { ...KEYS, registryId: "123456789012" }, AWS).host).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
  });

  it.each([
    ["another region", "https://123456789012.dkr.ecr.us-east-1.amazonaws.com", /not an ECR registry in eu-west-1/],
    ["a host that is not ECR's", "https://registry.evil.example", /not an ECR registry/],
    ["a look-alike host", "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example", /not an ECR registry/],
    ["a port", "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com:8443", /not an ECR registry/],
    ["plain HTTP", "http://123456789012.dkr.ecr.eu-west-1.amazonaws.com", /plain-HTTP/],
    ["credentials in the URL", "https://user:pw@123456789012.dkr.ecr.eu-west-1.amazonaws.com", /usable proxyEndpoint/],
    ["nothing", undefined, /usable proxyEndpoint/],
  ])("from AWS, refuses %s before anything is sent", (_what, endpoint, message) => {
    const stop = refusal(() => checkProxyEndpoint(endpoint, KEYS, AWS));
    expect(stop.stage).toBe("aws-auth");
    expect(stop.message).toMatch(message);
  });

  it("refuses the registry of another account than the registry ID, from AWS and from an override alike", () => {
    for (const endpoint of [AWS, OVERRIDE]) {
      const stop = refusal(() => checkProxyEndpoint("https://999999999999.dkr.ecr.eu-west-1.amazonaws.com", { ...KEYS, registryId: "123456789012" }, endpoint));
      expect(stop).toMatchObject({ status: "registry_error", stage: "aws-auth" });
      expect(stop.message).toContain("account 999999999999");
      expect(stop.message).toContain("registry ID 123456789012");
    }
  });

  it("from an operator's endpoint (AWS_ENDPOINT_URL_ECR), any host: the outbound policy checks it on connection", () => {
    expect(checkProxyEndpoint("https://127.0.0.1:5000", KEYS, OVERRIDE)).toEqual({ host: "127.0.0.1:5000", plainHttp: false });
    expect(checkProxyEndpoint("https://registry.internal", { ...KEYS, registryId: "123456789012" }, OVERRIDE).host).toBe("registry.internal");
  });

  it("plain HTTP only from an operator's plain-HTTP endpoint (a local emulator)", () => {
    expect(checkProxyEndpoint("http://localstack.internal:4510", KEYS, EMULATOR)).toEqual({ host: "localstack.internal:4510", plainHttp: true });
    expect(refusal(() => checkProxyEndpoint("http://127.0.0.1:5000", KEYS, OVERRIDE)).message).toMatch(/plain-HTTP/);
  });
});

describe("ecrEndpoint: where GetAuthorizationToken goes", () => {
  const saved = process.env.AWS_ENDPOINT_URL_ECR;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_ECR;
    else process.env.AWS_ENDPOINT_URL_ECR = saved;
    resetEnvCache();
  });

  it.each([
    ["us-east-1", "https://api.ecr.us-east-1.amazonaws.com/"],
    ["eu-central-1", "https://api.ecr.eu-central-1.amazonaws.com/"],
    ["cn-north-1", "https://api.ecr.cn-north-1.amazonaws.com.cn/"],
    ["us-gov-east-1", "https://api.ecr.us-gov-east-1.amazonaws.com/"],
  ])("%s: %s", (region, url) => {
    delete process.env.AWS_ENDPOINT_URL_ECR;
    resetEnvCache();
    expect(ecrEndpoint(region)).toEqual({ url: new URL(url), overridden: false });
  });

  it("AWS_ENDPOINT_URL_ECR overrides it for every region", () => {
    process.env.AWS_ENDPOINT_URL_ECR = "https://ecr-fips.us-east-1.amazonaws.com";
    resetEnvCache();
    expect(ecrEndpoint("eu-west-1")).toEqual({ url: new URL("https://ecr-fips.us-east-1.amazonaws.com/"), overridden: true });
  });
});
