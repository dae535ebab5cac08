/**
 * Recorded-style `/v2/` answers of real providers, modelled on their
 * documented challenges. Test data only.
 */
import type { RegistryTypeKey } from "@/lib/registries/types";

export interface ProviderFixture {
  name: string;
  type: RegistryTypeKey;
  /** Registry host as a user types it. */
  host: string;
  /** `WWW-Authenticate` header values of the anonymous `GET /v2/`. */
  wwwAuthenticate: string[];
  expected: { scheme: "basic" | "bearer"; realm?: string; service?: string; realmHost?: string };
}

export const PROVIDER_FIXTURES: ProviderFixture[] = [
  {
    name: "Docker Hub",
    type: "dockerhub",
    host: "docker.io",
    wwwAuthenticate: ['Bearer realm="https://auth.docker.io/token",service="registry.docker.io"'],
    expected: { scheme: "bearer", realm: "https://auth.docker.io/token", service: "registry.docker.io", realmHost: "auth.docker.io" },
  },
  {
    name: "GitHub Container Registry",
    type: "ghcr",
    host: "ghcr.io",
    wwwAuthenticate: ['Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"'],
    expected: { scheme: "bearer", realm: "https://ghcr.io/token", service: "ghcr.io", realmHost: "ghcr.io" },
  },
  {
    name: "GitLab.com",
    type: "gitlab",
    host: "registry.gitlab.com",
    wwwAuthenticate: ['Bearer realm="https://gitlab.com/jwt/auth",service="container_registry"'],
    expected: { scheme: "bearer", realm: "https://gitlab.com/jwt/auth", service: "container_registry", realmHost: "gitlab.com" },
  },
  {
    name: "Quay.io",
    type: "quay",
    host: "quay.io",
    wwwAuthenticate: ['Bearer realm="https://quay.io/v2/auth",service="quay.io"'],
    expected: { scheme: "bearer", realm: "https://quay.io/v2/auth", service: "quay.io", realmHost: "quay.io" },
  },
  {
    name: "Harbor",
    type: "harbor",
    host: "harbor.example.com",
    wwwAuthenticate: ['Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"'],
    expected: { scheme: "bearer", realm: "https://harbor.example.com/service/token", service: "harbor-registry", realmHost: "harbor.example.com" },
  },
  {
    name: "Azure Container Registry",
    type: "acr",
    host: "myregistry.azurecr.io",
    wwwAuthenticate: ['Bearer realm="https://myregistry.azurecr.io/oauth2/token",service="myregistry.azurecr.io"'],
    expected: { scheme: "bearer", realm: "https://myregistry.azurecr.io/oauth2/token", service: "myregistry.azurecr.io", realmHost: "myregistry.azurecr.io" },
  },
  {
    name: "Google Container Registry",
    type: "gcr",
    host: "eu.gcr.io",
    wwwAuthenticate: ['Bearer realm="https://eu.gcr.io/v2/token",service="eu.gcr.io"'],
    expected: { scheme: "bearer", realm: "https://eu.gcr.io/v2/token", service: "eu.gcr.io", realmHost: "eu.gcr.io" },
  },
  {
    name: "Google Artifact Registry",
    type: "gar",
    host: "europe-west1-docker.pkg.dev",
    wwwAuthenticate: ['Bearer realm="https://europe-west1-docker.pkg.dev/v2/token",service="europe-west1-docker.pkg.dev"'],
    expected: { scheme: "bearer", realm: "https://europe-west1-docker.pkg.dev/v2/token", service: "europe-west1-docker.pkg.dev", realmHost: "europe-west1-docker.pkg.dev" },
  },
  {
    name: "Artifactory (Basic)",
    type: "artifactory",
    host: "acme.jfrog.io/docker-local",
    wwwAuthenticate: ['Basic realm="Artifactory Realm"'],
    expected: { scheme: "basic", realm: "Artifactory Realm" },
  },
  {
    name: "distribution htpasswd",
    type: "custom",
    host: "registry.internal.example:5000",
    wwwAuthenticate: ['Basic realm="Registry Realm"'],
    expected: { scheme: "basic", realm: "Registry Realm" },
  },
  {
    name: "a proxy sending Basic and Bearer in two headers",
    type: "custom",
    host: "registry.example.org",
    wwwAuthenticate: ['Basic realm="proxy"', 'Bearer realm="https://auth.example.org/token",service="registry.example.org"'],
    expected: { scheme: "bearer", realm: "https://auth.example.org/token", service: "registry.example.org", realmHost: "auth.example.org" },
  },
];
