"use client";

import Link from "next/link";
import { useState, useSyncExternalStore } from "react";
import type { RegistryOption } from "@/components/settings/registry-limit";
import { buttonClass } from "@/components/ui/button";
import { Alert, Card } from "@/components/ui/card";
import { OneTimeSecret } from "@/components/ui/one-time-secret";
import {
  DOCKER_HUB,
  HELPER_NAME,
  PROVIDER_BIN_DIR,
  PROVIDER_CONFIG_PATH,
  ambiguousHosts,
  credHelpersJson,
  credentialProviderConfigYaml,
  distinctHosts,
  externalSecretYaml,
  gitlabDockerAuthConfig,
  gitlabRunnerVariables,
  helperConfigFileCommand,
  helperEnvironment,
  helperInstallCommand,
  kubeletFlags,
  providerInstallCommands,
  unknownHostRegistries,
  type IntegrationRegistry,
} from "@/lib/integrations/snippets";
import { CreatePullToken } from "./create-pull-token";
import { IntegrationSection, Note, Snippet } from "./snippet";

const noSubscription = () => () => {};

export function IntegrationsPanel({
  companySlug,
  companyName,
  registries,
  options,
  tokenButton,
  registriesHref,
  tokensHref,
}: {
  companySlug: string;
  companyName: string;
  /** The company's active registries, as the snippets need them. */
  registries: IntegrationRegistry[];
  /** Every registry (active or not), for the token's limit. */
  options: RegistryOption[];
  /** Owners and admins create a pull token here; members are told to ask an admin; viewers see neither. */
  tokenButton: "create" | "ask-admin" | "none";
  registriesHref: string;
  tokensHref: string;
}) {
  // The address this page was reached at: what clients on the same network use. On the server
  // (no window) a neutral example, replaced at hydration.
  const url = useSyncExternalStore(noSubscription, () => window.location.origin, () => "https://berth.example.com");
  // A token created on this page view: in React state only, gone on reload.
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const token = created?.token ?? null;
  const base = { url, company: companySlug, token };
  const hosts = distinctHosts(registries);
  const ambiguous = ambiguousHosts(registries);
  const unknownHosts = unknownHostRegistries(registries);

  const tokenCard = (
    <Card>
      <section aria-labelledby="integrations-token" className="space-y-3 p-5">
        <h2 id="integrations-token" className="text-base font-semibold">
          API token
        </h2>
        <p className="max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
          Each client signs in to Berth with an API token with the <code className="text-xs">registries:pull</code> scope. Limit it to the registries the host pulls from, so a node pool or a
          runner gets exactly the credentials it needs.
        </p>
        {tokenButton === "create" ? (
          <CreatePullToken companySlug={companySlug} options={options} onCreated={(t, name) => setCreated({ token: t, name })} />
        ) : tokenButton === "ask-admin" ? (
          <Alert tone="info" role="note">
            A pull token needs the owner or admin role in {companyName}: ask an admin to create one for you.
          </Alert>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">An owner or admin of {companyName} can make one for you.</p>
        )}
        {created ? (
          <OneTimeSecret what="token" value={created.token} testId="integrations-token-value">
            The snippets below now contain “{created.name}” for this page view only. Reloading the page removes it from here; it stays listed (not shown) under{" "}
            <Link href={tokensHref} className="underline underline-offset-2">
              API tokens
            </Link>
            .
          </OneTimeSecret>
        ) : null}
      </section>
    </Card>
  );

  if (registries.length === 0) {
    return (
      <div className="space-y-6">
        {tokenCard}
        <Card>
          <div className="space-y-3 p-6 text-center">
            <h2 className="text-base font-semibold">No active registries yet</h2>
            <p className="mx-auto max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
              The setups here list the hosts of {companyName}&apos;s active registries. Add a registry first; this page then shows what to configure.
            </p>
            <Link href={registriesHref} className={buttonClass("secondary", "md")}>
              Go to Container Registries
            </Link>
          </div>
        </Card>
      </div>
    );
  }

  return (
    <div className="space-y-6">
      {tokenCard}

      <Card>
        <IntegrationSection
          id="integration-docker"
          title="Docker, Podman and skopeo"
          intro={
            <>
              The credential helper <code className="text-xs">{HELPER_NAME}</code> asks Berth for the credentials of a registry host whenever the client needs them. It is one JavaScript file
              that needs Node.js 20 or later on the host.
            </>
          }
        >
          <Snippet title="1. Install the helper" value={helperInstallCommand(url)} testId="snippet-helper-install" />
          <Snippet
            title="2. Name it for your registries"
            where={
              <>
                in <code>~/.docker/config.json</code> (Docker) or <code>containers-auth.json</code> (Podman, skopeo)
              </>
            }
            value={credHelpersJson(registries)}
            testId="snippet-cred-helpers"
          />
          {hosts.includes(DOCKER_HUB) ? (
            <Note>
              Docker Hub is listed as <code>docker.io</code>, the name Podman and skopeo use. The Docker CLI asks for <code>https://index.docker.io/v1/</code>: add that key too, naming{" "}
              <code>berth</code>.
            </Note>
          ) : null}
          <Snippet title="3. Configure it with environment variables" value={helperEnvironment(base)} testId="snippet-helper-env" />
          <Snippet
            title="… or with its configuration file"
            where={
              <>
                <code>$XDG_CONFIG_HOME/berth/credential-helper.json</code>, mode 600
              </>
            }
            value={helperConfigFileCommand(base)}
            testId="snippet-helper-file"
          />
          {ambiguous.length > 0 ? (
            <Note>
              {ambiguous.join(", ")} {ambiguous.length === 1 ? "has" : "have"} several registries, each with a path prefix. The helper is asked by host alone, so it answers “not found” there
              (and says why on stderr): use the kubelet provider below or a <code>.dockerconfigjson</code> pull secret, which key by path.
            </Note>
          ) : null}
          {unknownHosts.length > 0 ? (
            <Note>
              {unknownHosts.map((r) => r.name).join(", ")}: the host is learned at the registry&apos;s first test, so it is not listed yet. Test the registry, then reload this page.
            </Note>
          ) : null}
        </IntegrationSection>
      </Card>

      <Card>
        <IntegrationSection
          id="integration-gitlab"
          title="GitLab CI"
          intro="The runner pulls job and service images through the same helper: install it on the runner host, on the PATH of the user the runner runs as."
        >
          <Snippet title="DOCKER_AUTH_CONFIG" where="CI/CD variable, or the runner's environment" value={gitlabDockerAuthConfig(registries)} testId="snippet-gitlab-auth" />
          <Snippet
            title="The helper's settings on the runner"
            where="the runner's environment (or its config file, as above)"
            value={gitlabRunnerVariables(base)}
            testId="snippet-gitlab-vars"
          />
          <Note>
            Jobs that run docker, podman or skopeo themselves read the same variables: add them as CI/CD variables, with <code>BERTH_TOKEN</code> masked and protected.
          </Note>
        </IntegrationSection>
      </Card>

      <Card>
        <IntegrationSection
          id="integration-kubelet"
          title="Kubernetes: kubelet credential provider"
          intro="The kubelet runs berth-credential-provider before pulling an image from one of these hosts and caches the answer per registry. Kubernetes 1.26 or later, Node.js 20 or later on each node."
        >
          <Snippet title="1. Install the provider and the token" where="on each node, as root" value={providerInstallCommands(base)} testId="snippet-provider-install" />
          <Snippet
            title="2. The provider's configuration"
            where={<code>{PROVIDER_CONFIG_PATH}</code>}
            value={credentialProviderConfigYaml({ url, company: companySlug, registries })}
            testId="snippet-provider-config"
          />
          <Snippet title="3. The kubelet's flags" where={<>then restart the kubelet</>} value={kubeletFlags()} testId="snippet-kubelet-flags" />
          <Note>
            The token stays in a root-only file (<code>/etc/berth/token</code>), not in the node&apos;s configuration. The plugin directory is <code>{PROVIDER_BIN_DIR}</code>; use your
            kubelet&apos;s own if it has one.
          </Note>
        </IntegrationSection>
      </Card>

      <Card>
        <IntegrationSection
          id="integration-eso"
          title="Kubernetes: External Secrets Operator"
          intro="Without anything of Berth's on the nodes: a Webhook generator asks Berth for the pull secret every hour and writes it into a Secret your pods name in imagePullSecrets (docs/kubernetes.md explains this and a CronJob alternative)."
        >
          <Snippet title="Manifests" where="kubectl apply -f -" value={externalSecretYaml({ url, company: companySlug, hosts, token })} testId="snippet-external-secrets" />
        </IntegrationSection>
      </Card>
    </div>
  );
}
