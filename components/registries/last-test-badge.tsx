"use client";

import { useId, useState } from "react";
import { Badge } from "@/components/ui/card";
import { Spinner } from "@/components/ui/icons";
import type { RegistryDto } from "@/lib/registries/dto";
import { RelativeTime } from "./relative-time";
import { statusLabel, statusTone } from "./test-status";

/**
 * The last test of a saved registry: a status badge and when it ran; the server's message shows
 * in a tooltip on hover or keyboard focus (and on tap, which focuses it), dismissed by Escape.
 */
export function LastTestBadge({
  lastTest,
  serverNow,
  testing,
  inTable = true,
}: {
  lastTest: RegistryDto["lastTest"];
  serverNow: number;
  testing?: boolean;
  /** In the list, the empty states take the height of a badge and its time, so rows keep their height. */
  inTable?: boolean;
}) {
  const rowHeight = inTable ? "lg:h-[2.375rem]" : "";
  const tooltipId = useId();
  const [hover, setHover] = useState(false);
  const [focus, setFocus] = useState(false);
  const [dismissed, setDismissed] = useState(false);

  if (testing) {
    return (
      <span className={`inline-flex items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400 ${rowHeight}`}>
        <Spinner className="h-3.5 w-3.5" />
        Checking…
      </span>
    );
  }
  if (!lastTest) {
    return <span className={`inline-flex items-center text-xs text-zinc-500 dark:text-zinc-400 ${rowHeight}`}>Never tested</span>;
  }
  const tone = statusTone(lastTest.status);
  const open = (hover || focus) && !dismissed && lastTest.message !== "";
  return (
    <span
      className="relative inline-flex flex-col items-start gap-0.5"
      onMouseEnter={() => {
        setHover(true);
        setDismissed(false);
      }}
      onMouseLeave={() => setHover(false)}
    >
      <button
        type="button"
        aria-describedby={lastTest.message ? tooltipId : undefined}
        onFocus={() => {
          setFocus(true);
          setDismissed(false);
        }}
        onBlur={() => setFocus(false)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && open) {
            e.stopPropagation();
            setDismissed(true);
          }
        }}
        className="cursor-help rounded-full focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500"
      >
        <Badge tone={tone === "neutral" ? "neutral" : tone}>{statusLabel(lastTest.status)}</Badge>
      </button>
      <RelativeTime iso={lastTest.checkedAt} serverNow={serverNow} className="text-xs text-zinc-500 dark:text-zinc-400" />
      <span
        role="tooltip"
        id={tooltipId}
        hidden={!open}
        className="absolute top-full left-0 z-20 mt-1 w-64 max-w-[min(16rem,80vw)] rounded-md bg-zinc-900 px-2.5 py-1.5 text-xs leading-snug text-white shadow-lg dark:bg-zinc-100 dark:text-zinc-900"
      >
        {lastTest.message}
      </span>
    </span>
  );
}
