/**
 * Test fixtures: one valid typed body per registry type (no format errors and
 * no convention warnings), with obviously fake secrets, and the
 * generic-body examples. For unit, API and e2e tests only: never import this
 * from application code.
 *
 * The PEM blocks are syntactically valid but their base64 only spells
 * "Berth test fixture: not a real …", so they parse as PEM and nothing else.
 */
import type { RegistryInputIn, RegistryTypeKey } from "./schemas";

export const FAKE_PRIVATE_KEY_PEM = [
  "-----BEGIN PRIVATE KEY-----",
  "QmVydGggdGVzdCBmaXh0dXJlOiBub3QgYSByZWFsIHByaXZhdGUga2V5LiBCZXJ0",
  "aCB0ZXN0IGZpeHR1cmU6IG5vdCBhIHJlYWwgcHJpdmF0ZSBrZXkuIEJlcnRoIHRl",
  "c3QgZml4dHVyZTogbm90IGEgcmVhbCBwcml2YXRlIGtleS4gQmVydGggdGVzdCBm",
  "aXh0dXJlOiBub3QgYSByZWFsIHByaXZhdGUga2V5LiBCZXJ0aCB0ZXN0IGZpeHR1",
  "cmU6IG5vdCBhIHJlYWwgcHJpdmF0ZSBrZXkuIEJlcnRoIHRlc3QgZml4dHVyZTog",
  "bm90IGEgcmVhbCBwcml2YXRlIGtleS4g",
  "-----END PRIVATE KEY-----",
  "",
].join("\n");

export const FAKE_CA_CERTIFICATE = [
  "-----BEGIN CERTIFICATE-----",
  "QmVydGggdGVzdCBmaXh0dXJlOiBub3QgYSByZWFsIGNlcnRpZmljYXRlLiBCZXJ0",
  "aCB0ZXN0IGZpeHR1cmU6IG5vdCBhIHJlYWwgY2VydGlmaWNhdGUuIEJlcnRoIHRl",
  "c3QgZml4dHVyZTogbm90IGEgcmVhbCBjZXJ0aWZpY2F0ZS4gQmVydGggdGVzdCBm",
  "aXh0dXJlOiBub3QgYSByZWFsIGNlcnRpZmljYXRlLiBCZXJ0aCB0ZXN0IGZpeHR1",
  "cmU6IG5vdCBhIHJlYWwgY2VydGlmaWNhdGUuIA==",
  "-----END CERTIFICATE-----",
].join("\n");

/** A Google service-account key file as downloaded (JSON text), with fake values. */
export const FAKE_SERVICE_ACCOUNT_KEY = JSON.stringify(
  {
    type: "service_account",
    project_id: "berth-fixture",
    private_key_id: "0000000000000000000000000000000000000000",
    private_key: FAKE_PRIVATE_KEY_PEM,
    client_email: "puller@berth-fixture.iam.gserviceaccount.com",
    client_id: "000000000000000000000",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
  },
  null,
  2,
);

/** AWS's documented example key pair (docs.aws.amazon.com), never a real one. */
export const FAKE_AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
export const FAKE_AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

export const REGISTRY_FIXTURES: { readonly [K in RegistryTypeKey]: RegistryInputIn & { type: K } } = {
  ghcr: {
    name: "Fixture GHCR",
    type: "ghcr",
    credentials: { username: "berth-fixture", token: "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000" },
  },
  dockerhub: {
    name: "Fixture Docker Hub",
    type: "dockerhub",
    credentials: { username: "berthfixture", password: "dckr_pat_FAKE-fake-FAKE-fake-0000" },
  },
  ecr: {
    name: "Fixture ECR",
    type: "ecr",
    credentials: {
      accessKeyId: FAKE_AWS_ACCESS_KEY_ID,
      secretAccessKey: FAKE_AWS_SECRET_ACCESS_KEY,
      region: "us-east-1",
      registryId: "123456789012",
    },
  },
  acr: {
    name: "Fixture ACR",
    type: "acr",
    credentials: { loginServer: "berthfixture.azurecr.io", username: "berthfixture", password: "fake-acr-password" },
  },
  gcr: {
    name: "Fixture GCR",
    type: "gcr",
    credentials: { hostname: "eu.gcr.io", serviceAccountKey: FAKE_SERVICE_ACCOUNT_KEY },
  },
  gar: {
    name: "Fixture GAR",
    type: "gar",
    credentials: { region: "europe-west1", serviceAccountKey: FAKE_SERVICE_ACCOUNT_KEY },
  },
  quay: {
    name: "Fixture Quay",
    type: "quay",
    credentials: { username: "berthfixture+puller", token: "FAKE0QUAY0ROBOT0TOKEN0000000000" },
  },
  gitlab: {
    name: "Fixture GitLab",
    type: "gitlab",
    credentials: { username: "gitlab+deploy-token-1", token: "gldt-FAKEfakeFAKEfake0000" },
  },
  harbor: {
    name: "Fixture Harbor",
    type: "harbor",
    credentials: {
      url: "harbor.example.com",
      username: "robot$berth-fixture",
      password: "fake-harbor-robot-secret",
      caCertificate: FAKE_CA_CERTIFICATE,
    },
  },
  artifactory: {
    name: "Fixture Artifactory",
    type: "artifactory",
    credentials: { url: "art.example.com/docker-remote", username: "ci-puller", password: "fake-identity-token" },
  },
  digitalocean: {
    name: "Fixture DigitalOcean",
    type: "digitalocean",
    credentials: { token: "dop_v1_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000", url: "registry.digitalocean.com/berth-fixture" },
  },
  ocir: {
    name: "Fixture OCIR",
    type: "ocir",
    credentials: { loginServer: "iad.ocir.io", username: "berthfixture/puller@example.com", token: "FAKE-ocir-auth-token-0000" },
  },
  custom: {
    name: "Fixture custom",
    type: "custom",
    credentials: { url: "registry.example.com:5000", username: "deploy", password: "fake-password" },
  },
  public: { name: "Fixture public", type: "public", credentials: {} },
};

/** A fresh copy of a type's fixture body, safe to modify. */
export function registryFixture<K extends RegistryTypeKey>(type: K): RegistryInputIn & { type: K } {
  return structuredClone(REGISTRY_FIXTURES[type]) as RegistryInputIn & { type: K };
}

/**
 * The five documented examples of the generic body, verbatim, with the type each
 * maps to. Example 4 keeps the documentation's elided key, so it fails with a 400 at
 * `credentials.serviceAccountKey`; example 5 (ECR with a 12-hour token) is `custom`.
 */
export const SEED_GENERIC_EXAMPLES = [
  {
    type: "acr",
    body: { name: "Production ACR", url: "myprod.azurecr.io", username: "myprod", password: "access-token-12345" },
  },
  {
    type: "ghcr",
    body: { name: "GitHub Packages", url: "ghcr.io", username: "myusername", password: "ghp_MyPersonalAccessToken123" },
  },
  {
    type: "dockerhub",
    body: { name: "Docker Hub", url: "docker.io", username: "mydockerusername", password: "mydockerpassword" },
  },
  {
    type: "gcr",
    body: { name: "GCR Production", url: "gcr.io", username: "_json_key", password: '{"type":"service_account",...}' },
  },
  {
    type: "custom",
    body: {
      name: "AWS ECR",
      url: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
      username: "AWS",
      password: "eyJwYXlsb2FkIjoiZXhhbXBsZSJ9...",
    },
  },
] as const satisfies readonly { type: RegistryTypeKey; body: Record<string, unknown> }[];
