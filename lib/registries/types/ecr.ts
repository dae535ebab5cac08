/** Amazon ECR: an IAM access key, exchanged for a 12-hour registry password whenever one is needed. */
import { defineRegistryType, issues } from "./definition";
import { isEcrAnyAccountUrl } from "./ecr-hosts";
import { field } from "./fields";

export { ecrAnyAccountRegion, isEcrAnyAccountUrl } from "./ecr-hosts";

/** `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]` */
export const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;
const ECR_HOST_PARTS = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The AWS partitions whose regions Berth knows: commercial, China and GovCloud (US). */
export type AwsPartition = "aws" | "aws-cn" | "aws-us-gov";

export function awsPartitionOf(region: string): AwsPartition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The DNS suffix of a region's endpoints: `amazonaws.com.cn` in China, else `amazonaws.com` (GovCloud included). */
export function awsDnsSuffix(region: string): string {
  return awsPartitionOf(region) === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

/** The ECR API endpoint host of a region, e.g. `api.ecr.eu-west-1.amazonaws.com`, `api.ecr.cn-north-1.amazonaws.com.cn`. */
export function ecrApiHost(region: string): string {
  return `api.ecr.${region}.${awsDnsSuffix(region)}`;
}

/** The registry host of an account in a region: `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
export function ecrRegistryHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.${awsDnsSuffix(region)}`;
}

/**
 * The URL of an ECR registry whose account is not known yet (no registry ID, no exchange yet):
 * `dkr.ecr.REGION.amazonaws.com`, which stands for "any account's registry in REGION".
 */
export function ecrAnyAccountHost(region: string): string {
  return `dkr.ecr.${region}.${awsDnsSuffix(region)}`;
}

/** Account, region and FIPS flag of an ECR registry host; null for any other host. */
export function parseEcrHost(host: string): { account: string; region: string; fips: boolean } | null {
  const match = ECR_HOST_PARTS.exec(host.toLowerCase());
  if (!match) return null;
  const [, account, fips, region, cn] = match;
  if (Boolean(cn) !== region!.startsWith("cn-")) return null;
  return { account: account!, region: region!, fips: Boolean(fips) };
}


export const ecr = defineRegistryType({
  key: "ecr",
  label: "Amazon ECR",
  icon: "aws",
  docsUrl: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html",
  help:
    "Create an IAM user with the AmazonEC2ContainerRegistryReadOnly policy (at least ecr:GetAuthorizationToken, " +
    "ecr:BatchGetImage and ecr:GetDownloadUrlForLayer) and an access key for it. Berth exchanges the key for a " +
    "12-hour registry token whenever one is needed, so the key itself only ever goes to the AWS API. Set " +
    "Registry ID to pull from a registry of another account.",
  fields: [
    field("accessKeyId", { required: true }),
    field("secretAccessKey", { required: true }),
    field("sessionToken"),
    field("region", {
      required: true,
      format: "awsRegion",
      placeholder: "us-east-1",
      help: "The region of the registry, e.g. us-east-1 or eu-west-1.",
    }),
    field("registryId"),
  ],
  defaultHost: null,
  hostPattern: { description: "ACCOUNT.dkr.ecr.REGION.amazonaws.com", regex: ECR_HOST, hint: "ECR hosts look like ACCOUNT.dkr.ecr.REGION.amazonaws.com." },
  /**
   * Without a registry ID the registry is the default one of the key's own account, known only
   * after GetAuthorizationToken: the URL is then the placeholder `dkr.ecr.REGION.amazonaws.com`
   * ("any account in REGION", `learnsHost`), replaced by the real host at the first exchange.
   */
  hostOf: ({ region, registryId }) => region && (registryId ? ecrRegistryHost(registryId, region) : ecrAnyAccountHost(region)),
  /**
   * The binding is the region and the registry ID: the access key goes only to the region's
   * AWS API endpoint, and the registry token only to the proxy endpoint AWS returns.
   */
  bindsAlso: ["region", "registryId"],
  /** Without a registry ID, the first successful exchange tells the registry's host. */
  learnsHost: {
    isPlaceholder: isEcrAnyAccountUrl,
    matches: (host, url) => {
      const parsed = parseEcrHost(host);
      return parsed !== null && isEcrAnyAccountUrl(url) && ecrAnyAccountHost(parsed.region) === url;
    },
  },
  signIn: () => ({ kind: "exchange", stage: "aws-auth", username: "AWS" }),
  hints: {
    credentialHint: "Use an access key of an IAM identity allowed ecr:GetAuthorizationToken.",
    permissionHint: "The IAM identity needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository.",
  },
  requires: ({ accessKeyId }, has) =>
    issues(accessKeyId?.startsWith("ASIA") && !has("sessionToken") && { key: "sessionToken", message: "Required for temporary (ASIA…) access keys" }),
  conventions: ({ accessKeyId, secretAccessKey, sessionToken }) =>
    issues(
      secretAccessKey &&
        secretAccessKey.length !== 40 && {
          key: "secretAccessKey",
          message: "AWS secret access keys are 40 characters long: check that the whole key was pasted",
        },
      accessKeyId?.startsWith("ASIA") && {
        key: "accessKeyId",
        message:
          "Temporary (ASIA…) credentials expire, usually within hours: use an IAM user's access key (AKIA…) for a registry that keeps working",
      },
      accessKeyId?.startsWith("AKIA") &&
        sessionToken && {
          key: "sessionToken",
          message: "A session token is only used with temporary (ASIA…) access keys: leave it blank for an AKIA… key",
        },
    ),
});
