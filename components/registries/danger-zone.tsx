"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";
import type { RegistryDto } from "@/lib/registries/dto";
import { registryKeys } from "./api";
import { DeleteRegistryDialog } from "./delete-dialog";

/** Delete from the registry's own page; afterwards the list is shown. */
export function RegistryDangerZone({
  companyId,
  companySlug,
  registry,
  serverNow,
}: {
  companyId: string;
  companySlug: string;
  registry: Pick<RegistryDto, "id" | "name" | "type" | "url" | "lastUsedAt">;
  serverNow: number;
}) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const toast = useToast();
  const queryClient = useQueryClient();
  return (
    <Card className="mt-8 ring-red-200 dark:ring-red-900/60">
      <section aria-labelledby="danger-zone-title" className="flex flex-col gap-3 p-5 sm:flex-row sm:items-center sm:justify-between">
        <div>
          <h2 id="danger-zone-title" className="text-sm font-semibold text-red-700 dark:text-red-400">
            Delete this registry
          </h2>
          <p className="mt-1 max-w-prose text-xs text-zinc-600 dark:text-zinc-400">
            Its credentials are wiped at once and its name and host become free for a new entry.
          </p>
        </div>
        <Button variant="danger" onClick={() => setOpen(true)} className="max-sm:w-full">
          Delete
        </Button>
      </section>
      <DeleteRegistryDialog
        companySlug={companySlug}
        registry={registry}
        open={open}
        serverNow={serverNow}
        onClose={() => setOpen(false)}
        onDeleted={(r) => {
          setOpen(false);
          queryClient.removeQueries({ queryKey: registryKeys.all(companyId) });
          toast({ title: `Deleted ${r.name}` });
          router.push(`/${companySlug}/settings/registries`);
        }}
      />
    </Card>
  );
}
