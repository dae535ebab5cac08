"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";
import type { RegistryDto } from "@/lib/registries/dto";
import { registryKeys, testSavedRegistry } from "./api";
import { LastTestBadge } from "./last-test-badge";
import { testResultToast } from "./test-status";

/**
 * The last test of a saved registry with a button to run it again (members may test, not edit).
 * When the test learned the registry's host (ECR), the page is rendered again to show it.
 */
export function SavedRegistryTest({
  companyId,
  registry,
  serverNow,
  canTest,
}: {
  companyId: string;
  registry: Pick<RegistryDto, "id" | "name" | "lastTest">;
  serverNow: number;
  canTest: boolean;
}) {
  const [lastTest, setLastTest] = useState(registry.lastTest);
  const [testing, setTesting] = useState(false);
  const toast = useToast();
  const queryClient = useQueryClient();
  const router = useRouter();
  return (
    <div className="flex flex-wrap items-center gap-3">
      <LastTestBadge lastTest={lastTest} serverNow={serverNow} testing={testing} inTable={false} />
      {canTest ? (
        <Button
          variant="secondary"
          size="sm"
          aria-disabled={testing || undefined}
          onClick={async () => {
            if (testing) return;
            setTesting(true);
            try {
              const result = await testSavedRegistry(companyId, registry.id);
              setLastTest({ status: result.status, message: result.message, checkedAt: new Date().toISOString() });
              toast(testResultToast(registry.name, result));
              void queryClient.invalidateQueries({ queryKey: registryKeys.all(companyId) });
              // The first test of an ECR registry without a registry ID learns its host: show it.
              if (result.details?.urlLearned) router.refresh();
            } catch (err) {
              toast({ tone: "error", title: `Could not test ${registry.name}`, description: err instanceof Error ? err.message : String(err) });
            } finally {
              setTesting(false);
            }
          }}
        >
          {testing ? <Spinner className="h-3.5 w-3.5" /> : null}
          Test
        </Button>
      ) : null}
    </div>
  );
}
