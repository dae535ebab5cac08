"use client";

import { useRef, useState, useTransition } from "react";
import { deleteRegistryAction } from "@/app/[company]/settings/registries/actions";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/icons";
import type { RegistryDto } from "@/lib/registries/dto";
import { RegistryHost } from "./registry-host";

const IN_USE_WINDOW_MS = 30 * 24 * 3600_000;

/**
 * Confirms a delete, naming the registry. A registry used to pull images in the last 30 days
 * is flagged up front (deleting it may break deployments) and confirmed with force; if the
 * server still finds it in use (a pull in the meantime), the dialog says so and offers
 * "Delete anyway".
 */
export function DeleteRegistryDialog({
  companySlug,
  registry,
  open,
  onClose,
  onDeleted,
  serverNow,
  fallbackFocus,
}: {
  companySlug: string;
  registry: Pick<RegistryDto, "id" | "name" | "type" | "url" | "lastUsedAt"> | null;
  open: boolean;
  onClose: () => void;
  onDeleted: (registry: Pick<RegistryDto, "id" | "name">) => void;
  serverNow: number;
  fallbackFocus?: () => HTMLElement | null;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [inUse, setInUse] = useState(false);

  const recentlyUsed = !!registry?.lastUsedAt && serverNow - Date.parse(registry.lastUsedAt) < IN_USE_WINDOW_MS;
  // A recent use asks twice: the first Delete is refused by the server, which names that use.
  const force = inUse;

  const close = () => {
    if (pending) return;
    setError(null);
    setInUse(false);
    onClose();
  };

  return (
    <Dialog
      open={open && registry !== null}
      onClose={close}
      dismissible={!pending}
      initialFocus={cancelRef}
      fallbackFocus={fallbackFocus}
      title={registry ? <>Delete “{registry.name}”?</> : "Delete registry?"}
      description={
        registry ? (
          <>
            Berth forgets the credentials for <RegistryHost registry={registry} note="inline" /> at once. Deploy agents and CI jobs that ask Berth for
            this registry&apos;s pull secret will stop getting one. This cannot be undone.
          </>
        ) : null
      }
    >
      {recentlyUsed && registry?.lastUsedAt ? (
        <div className="mt-3">
          <Alert tone="warning" role="note">
            It was used to pull images on {new Date(registry.lastUsedAt).toLocaleDateString()}: deleting it may break deployments that still rely on it.
          </Alert>
        </div>
      ) : null}
      {error ? (
        <div className="mt-3">
          <Alert tone={inUse ? "warning" : "error"}>{error}</Alert>
        </div>
      ) : null}
      <DialogActions>
        <Button ref={cancelRef} variant="secondary" onClick={close} disabled={pending}>
          Cancel
        </Button>
        <Button
          variant="danger"
          aria-busy={pending || undefined}
          onClick={() => {
            if (!registry || pending) return;
            setError(null);
            start(async () => {
              const result = await deleteRegistryAction(companySlug, registry.id, force);
              if (result.ok) {
                setInUse(false);
                onDeleted(registry);
                return;
              }
              if ("inUse" in result && result.inUse) {
                setInUse(true);
                setError(`${registry.name} is in use: ${result.inUse}. Deleting it may break deployments that still pull with it.`);
              } else {
                setError(result.error);
              }
            });
          }}
        >
          {pending ? <Spinner className="h-3.5 w-3.5" /> : null}
          {inUse ? "Delete anyway" : "Delete"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
