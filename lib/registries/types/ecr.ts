/** Amazon ECR: an IAM access key, exchanged for a 12-hour registry password whenever one is needed. */
import { defineRegistryType, issues } from "./definition";
import { field } from "./fields";

/** `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]` */
export const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;

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
   * after GetAuthorizationToken: the host is then the placeholder `*.dkr.ecr.REGION.amazonaws.com`
   * ("any account in REGION"), which is deliberately not a valid host name.
   */
  hostOf: ({ region, registryId }) =>
    region && `${registryId || "*"}.dkr.ecr.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`,
  bindsAlso: ["region", "registryId"],
  signIn: () => ({ kind: "exchange" }),
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
