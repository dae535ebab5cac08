import { describe, expect, it } from "vitest";
import { bindingChanges, bindingOf, storedBindingOf } from "../binding";
import { parseImageReference, parseRegistryHost } from "../connection/target";
import { awsPartitionOf, ecr, ecrAnyAccountHost, ecrAnyAccountRegion, ecrApiHost, ecrRegistryHost, isEcrAnyAccountUrl, parseEcrHost } from "./ecr";

const KEYS = { accessKeyId: "AKIAABCDEFGHIJKLMNOP", secretAccessKey: "s".repeat(40) };

describe("ECR endpoints by partition", () => {
  it.each([
    ["us-east-1", "aws", "api.ecr.us-east-1.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
    ["eu-west-1", "aws", "api.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"],
    ["cn-north-1", "aws-cn", "api.ecr.cn-north-1.amazonaws.com.cn", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"],
    ["cn-northwest-1", "aws-cn", "api.ecr.cn-northwest-1.amazonaws.com.cn", "123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn"],
    ["us-gov-west-1", "aws-us-gov", "api.ecr.us-gov-west-1.amazonaws.com", "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com"],
  ])("%s is in %s: API %s, registry %s", (region, partition, api, registry) => {
    expect(awsPartitionOf(region)).toBe(partition);
    expect(ecrApiHost(region)).toBe(api);
    expect(ecrRegistryHost("123456789012", region)).toBe(registry);
    expect(parseEcrHost(registry)).toEqual({ account: "123456789012", region, fips: false });
  });

  it("reads FIPS hosts and refuses what is not an ECR registry host", () => {
    expect(parseEcrHost("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com")).toEqual({ account: "123456789012", region: "us-east-1", fips: true });
    expect(parseEcrHost("123456789012.dkr.ecr.cn-north-1.amazonaws.com")).toBeNull(); // China lives under .com.cn
    expect(parseEcrHost("123456789012.dkr.ecr.us-east-1.amazonaws.com.cn")).toBeNull();
    expect(parseEcrHost("12345.dkr.ecr.us-east-1.amazonaws.com")).toBeNull();
    expect(parseEcrHost("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example")).toBeNull();
    expect(parseEcrHost("dkr.ecr.us-east-1.amazonaws.com")).toBeNull();
  });
});

describe("an ECR registry without a registry ID", () => {
  it("is bound to the placeholder 'any account in the region' until the first exchange", () => {
    expect(bindingOf("ecr", { ...KEYS, region: "eu-west-1" }).url).toBe("dkr.ecr.eu-west-1.amazonaws.com");
    expect(ecrAnyAccountHost("cn-north-1")).toBe("dkr.ecr.cn-north-1.amazonaws.com.cn");
    expect(isEcrAnyAccountUrl("dkr.ecr.eu-west-1.amazonaws.com")).toBe(true);
    expect(isEcrAnyAccountUrl("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).toBe(false);
    expect(ecrAnyAccountRegion("dkr.ecr.eu-west-1.amazonaws.com")).toBe("eu-west-1");
    expect(ecrAnyAccountRegion("dkr.ecr.cn-north-1.amazonaws.com.cn")).toBe("cn-north-1");
    expect(isEcrAnyAccountUrl("dkr.ecr.cn-north-1.amazonaws.com")).toBe(false); // China lives under .com.cn
    expect(isEcrAnyAccountUrl("dkr.ecr.eu-west-1.amazonaws.com.cn")).toBe(false);
    expect(ecrAnyAccountRegion("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).toBeNull();
    expect(ecrAnyAccountRegion("dkr.ecr.eu-west-1.amazonaws.com.evil.example")).toBeNull();
    expect(parseRegistryHost("dkr.ecr.eu-west-1.amazonaws.com", false).ok).toBe(true);
  });

  it("the placeholder stands for every account's registry in its region, and only those", () => {
    const matches = ecr.learnsHost!.matches;
    expect(matches("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "dkr.ecr.eu-west-1.amazonaws.com")).toBe(true);
    expect(matches("123456789012.dkr.ecr.us-east-1.amazonaws.com", "dkr.ecr.eu-west-1.amazonaws.com")).toBe(false);
    expect(matches("evil.example", "dkr.ecr.eu-west-1.amazonaws.com")).toBe(false);
    expect(matches("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com")).toBe(false);
  });

  it("accepts a full image reference of any account in the region for a test", () => {
    const target = parseRegistryHost("dkr.ecr.eu-west-1.amazonaws.com", false);
    if (!target.ok) throw new Error(target.message);
    expect(parseImageReference("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.0", target.value, ecr.learnsHost!.matches)).toEqual({
      ok: true,
      value: { repository: "team/api", reference: "1.0" },
    });
    expect(parseImageReference("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:1.0", target.value, ecr.learnsHost!.matches).ok).toBe(false);
    expect(parseImageReference("team/api:1.0", target.value, ecr.learnsHost!.matches).ok).toBe(true);
  });

  it("keeps its binding when the host was learned: editing the name needs no secret again", () => {
    const credentials = { region: "eu-west-1" };
    const saved = { type: "ecr", url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", plainHttp: false, credentials };
    expect(storedBindingOf(saved).url).toBe("dkr.ecr.eu-west-1.amazonaws.com");
    expect(bindingChanges(storedBindingOf(saved), bindingOf("ecr", { ...KEYS, region: "eu-west-1" }))).toBeNull();
    expect(bindingChanges(storedBindingOf(saved), bindingOf("ecr", { ...KEYS, region: "eu-west-2" }))?.parts).toEqual(["host", "region"]);
    expect(bindingChanges(storedBindingOf(saved), bindingOf("ecr", { ...KEYS, region: "eu-west-1", registryId: "123456789012" }))?.parts).toEqual(["host", "registryId"]);
  });

  it("signs in by exchange, in the aws-auth stage, as AWS", () => {
    expect(ecr.signIn({})).toEqual({ kind: "exchange", stage: "aws-auth", username: "AWS" });
  });
});
