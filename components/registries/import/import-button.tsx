"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { UploadIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";
import type { ImportAnswer } from "@/lib/registries/docker-config";
import { ImportDialog } from "./import-dialog";
import { importSummary } from "./import-preview";

/** The list's "Import from Docker config" button and its dialog; a toast sums up the import. */
export function ImportButton({ companyId, onImported }: { companyId: string; onImported: (answer: ImportAnswer) => void }) {
  const [open, setOpen] = useState(false);
  const toast = useToast();
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)} className="w-full sm:w-auto">
        <UploadIcon className="h-4 w-4" />
        Import from Docker config
      </Button>
      <ImportDialog
        companyId={companyId}
        open={open}
        onClose={() => setOpen(false)}
        onImported={(answer) => {
          setOpen(false);
          const n = answer.created.length;
          const problems = answer.conflicts.length;
          toast({
            title: n > 0 ? `Imported ${n} ${n === 1 ? "registry" : "registries"}` : "Nothing was imported",
            description: answer.skipped.length + problems > 0 ? `${importSummary(answer)}.` : undefined,
            tone: problems > 0 || n === 0 ? "warning" : "success",
          });
          onImported(answer);
        }}
      />
    </>
  );
}
