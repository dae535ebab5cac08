import { CheckIcon } from "@/components/ui/icons";
import { exchangeSummary, resultHeadline, stageLabel, verifiedItems } from "../test-status";
import type { TestState } from "../use-connection-test";

/** The colours of the result region for a state: neutral while running, green, amber or red for a result. */
export function regionTone(state: TestState): string {
  switch (state.phase) {
    case "idle":
      return "";
    case "running":
    case "cancelled":
      return "bg-zinc-50 text-zinc-700 ring-zinc-200 dark:bg-zinc-800/50 dark:text-zinc-300 dark:ring-zinc-700";
    case "blocked":
    case "error":
      return "bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-200 dark:ring-amber-900";
    case "done": {
      const headline = resultHeadline(state.result);
      if (headline === "Connection successful") return "bg-emerald-50 text-emerald-900 ring-emerald-200 dark:bg-emerald-950/40 dark:text-emerald-100 dark:ring-emerald-900";
      if (headline === "Connection failed") return "bg-red-50 text-red-900 ring-red-200 dark:bg-red-950/40 dark:text-red-100 dark:ring-red-900";
      return "bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-100 dark:ring-amber-900";
    }
  }
}

/** The region's text starts with "Connection successful", "Not verified" or "Connection failed:" for a result. */
export function ResultSummary({ state }: { state: TestState }) {
  switch (state.phase) {
    case "idle":
      return null;
    case "running":
      return <p>Testing the connection to {state.target}…</p>;
    case "cancelled":
      return <p>Test cancelled. Nothing was saved or changed.</p>;
    case "blocked":
      return <p>Not tested: {state.message}</p>;
    case "error":
      return <p>Could not test: {state.message}</p>;
    case "done": {
      const { result } = state;
      const headline = resultHeadline(result);
      const failed = result.stages.find((s) => !s.ok);
      // ECR: the exchange succeeded even when a later stage failed; which host the token is for helps there most.
      const exchanged = result.details?.exchange && result.stages.some((s) => s.name === "aws-auth" && s.ok) ? exchangeSummary(result.details.exchange) : null;
      // A saved registry's first exchange may have replaced its placeholder URL, whatever came after.
      const learned =
        result.details?.urlLearned && result.details.exchange ? (
          <p className="text-xs">Berth saved the registry&apos;s address that AWS returned: {result.details.exchange.registryHost}.</p>
        ) : null;
      if (headline === "Connection successful") {
        const verified = verifiedItems(result);
        return (
          <div className="space-y-1.5">
            <p className="font-semibold">
              Connection successful <span className="font-normal opacity-80">in {result.latencyMs} ms</span>
            </p>
            {result.message ? <p>{result.message}</p> : null}
            {verified.length > 0 ? (
              <ul className="space-y-0.5 text-xs">
                {verified.map((item) => (
                  <li key={item} className="flex items-start gap-1.5">
                    <CheckIcon />
                    {item}
                  </li>
                ))}
              </ul>
            ) : null}
            {learned}
          </div>
        );
      }
      if (headline === "Not verified") {
        return (
          <div className="space-y-1">
            <p>
              <span className="font-semibold">Not verified</span>: {result.message}
            </p>
            <p className="text-xs">The credentials were never checked: saving is allowed, but this is not a passed test.</p>
          </div>
        );
      }
      if (headline === "Not tested") {
        return <p>Not tested: {result.message}</p>;
      }
      return (
        <div className="space-y-1">
          <p>
            <span className="font-semibold">Connection failed:</span> {result.message}
          </p>
          <p className="text-xs">
            Failed at: <span className="font-medium">{stageLabel(failed?.name ?? result.stage)}</span>
            {failed?.detail ? <> ({failed.detail})</> : null} · after {result.latencyMs} ms
          </p>
          {exchanged ? <p className="text-xs">{exchanged}</p> : null}
          {learned}
        </div>
      );
    }
  }
}
