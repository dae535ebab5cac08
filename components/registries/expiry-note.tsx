import { Alert } from "@/components/ui/card";
import type { RegistryDto } from "@/lib/registries/dto";
import { getRegistryType } from "@/lib/registries/schemas";
import { expiryStateOf } from "@/lib/registries/expiry/state";
import { RelativeTime } from "./relative-time";

/**
 * When a registry's credentials expire (and who said so), or for exchanged credentials (ECR) when
 * the keys were last exchanged successfully. Nothing when there is nothing to say.
 */
export function ExpiryNote({ registry, serverNow }: { registry: RegistryDto; serverNow: number }) {
  if (getRegistryType(registry.type)?.signIn({}).kind === "exchange") {
    return (
      <Alert tone="info" role="note">
        {registry.lastExchangeAt ? (
          <>
            Last successful exchange of the access keys for a registry password: <RelativeTime iso={registry.lastExchangeAt} serverNow={serverNow} /> ({registry.lastExchangeAt}). ECR passwords
            last 12 hours; the keys themselves have no expiry in Berth.
          </>
        ) : (
          <>The access keys have not been exchanged for a registry password yet: test the registry to do so.</>
        )}
      </Alert>
    );
  }
  const state = expiryStateOf(registry.expiresAt, new Date(serverNow));
  if (state === "none" && !registry.expiry.message) return null;
  const source = registry.expiry.source === "detected" ? " (read from the provider)" : registry.expiry.source === "user" ? " (set by hand)" : "";
  return (
    <Alert tone={state === "expired" ? "error" : state === "expiring" ? "warning" : "info"} role="note">
      {registry.expiresAt ? (
        <p>
          {state === "expired" ? "The token expired " : "The token expires "}
          <RelativeTime iso={registry.expiresAt} serverNow={serverNow} /> ({new Date(registry.expiresAt).toUTCString()}){source}.
        </p>
      ) : (
        <p>No expiry is known for this token.</p>
      )}
      {registry.expiry.message ? (
        <p className="mt-1 text-xs">
          Last expiry check{registry.expiry.checkedAt ? <> (<RelativeTime iso={registry.expiry.checkedAt} serverNow={serverNow} />)</> : null}: {registry.expiry.message}
        </p>
      ) : null}
    </Alert>
  );
}
