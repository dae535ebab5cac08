"use client";

import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { fileDropProps } from "@/components/ui/file-drop";
import { Spinner } from "@/components/ui/icons";
import { Textarea } from "@/components/ui/input";
import { UploadFileButton } from "@/components/ui/upload-file-button";
import { MAX_DOCKER_CONFIG_BYTES, type ImportAnswer } from "@/lib/registries/docker-config";
import { ApiError, importDockerConfig, isAbortError, type FieldProblem } from "../api";
import { NO_AUTOFILL, VERBATIM_TEXT } from "../credentials/no-autofill";
import { ImportPreview, importSummary } from "./import-preview";

type Failure = { message: string; errors: FieldProblem[] };

/**
 * "Import from Docker config": paste a `config.json` (or upload the file; it is read in the
 * browser), Preview (a dry run on the server: what would be created, skipped or in conflict),
 * then Import. The text holds secrets: it is masked until shown, sent only to Berth's own API,
 * and cleared whenever the dialog closes. Errors are shown inside the dialog.
 */
export function ImportDialog({ companyId, open, onClose, onImported }: { companyId: string; open: boolean; onClose: () => void; onImported: (answer: ImportAnswer) => void }) {
  const [text, setText] = useState("");
  const [shown, setShown] = useState(false);
  const [fileName, setFileName] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ answer: ImportAnswer; text: string } | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState<"preview" | "import" | null>(null);
  const abort = useRef<AbortController | null>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  // Leaving the page mid-request cancels it.
  useEffect(() => () => abort.current?.abort(), []);

  /** Every way out (Cancel, Escape, the backdrop, a finished import) goes through here: nothing pasted stays behind. */
  const reset = () => {
    abort.current?.abort();
    setText("");
    setShown(false);
    setFileName(null);
    setPreview(null);
    setFailure(null);
    setBusy(null);
  };
  const close = () => {
    reset();
    onClose();
  };

  const current = preview && preview.text === text ? preview.answer : null;

  const run = async (dryRun: boolean) => {
    if (busy) return;
    if (text.trim() === "") {
      setFailure({ message: "Paste the contents of a Docker config.json, or upload the file.", errors: [] });
      textRef.current?.focus();
      return;
    }
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setBusy(dryRun ? "preview" : "import");
    setFailure(null);
    try {
      const answer = await importDockerConfig(companyId, text, dryRun, controller.signal);
      if (dryRun) setPreview({ answer, text });
      else {
        reset();
        onImported(answer);
      }
    } catch (err) {
      if (isAbortError(err)) return;
      setFailure(err instanceof ApiError ? { message: err.message, errors: err.errors } : { message: "Something went wrong. Try again.", errors: [] });
    } finally {
      if (abort.current === controller && !controller.signal.aborted) setBusy(null);
    }
  };

  const load = async (file: File | undefined) => {
    if (!file) return;
    setFailure(null);
    if (file.size > MAX_DOCKER_CONFIG_BYTES) {
      setFailure({ message: `${file.name} is ${Math.round(file.size / 1024)} KiB: a Docker config can be imported up to ${MAX_DOCKER_CONFIG_BYTES / 1024} KiB.`, errors: [] });
      return;
    }
    setText(await file.text());
    setFileName(file.name);
  };

  const creatable = current ? current.created.length : 0;
  return (
    <Dialog
      open={open}
      onClose={close}
      dismissible={busy === null}
      initialFocus={textRef}
      className="sm:max-w-2xl"
      title="Import from Docker config"
      description={
        <>
          Paste a Docker <code className="font-mono text-xs">config.json</code> (from <code className="font-mono text-xs">~/.docker/config.json</code>, a{" "}
          <code className="font-mono text-xs">.dockerconfigjson</code> or a CI variable) or upload the file. Each entry under{" "}
          <code className="font-mono text-xs">auths</code> becomes a registry; Preview shows what will happen before anything is saved.
        </>
      }
    >
      <div className="mt-4 space-y-2">
        <div className="flex items-center justify-between gap-2">
          <label htmlFor={`${id}-config`} className="text-sm font-medium">
            Docker config JSON
          </label>
          <button
            type="button"
            onClick={() => setShown((s) => !s)}
            aria-controls={`${id}-config`}
            className="rounded px-2 py-1 text-xs font-medium text-zinc-600 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-brand-500 dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            {shown ? "Hide" : "Show"}
          </button>
        </div>
        <Textarea
          ref={textRef}
          id={`${id}-config`}
          {...NO_AUTOFILL}
          rows={current ? 3 : 7}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setFileName(null);
          }}
          {...fileDropProps((file) => void load(file))}
          placeholder={'{"auths": {"ghcr.io": {"auth": "…"}}}'}
          aria-describedby={`${id}-config-help`}
          aria-invalid={failure && failure.errors.length > 0 ? true : undefined}
          {...VERBATIM_TEXT}
          disabled={busy !== null}
          className={`resize-y leading-relaxed ${shown ? "" : "[-webkit-text-security:disc]"}`}
        />
        <div className="flex flex-wrap items-center gap-2">
          <UploadFileButton accept=".json,application/json" inputLabel="config.json file" disabled={busy !== null} onFile={(file) => void load(file)}>
            Upload config.json
          </UploadFileButton>
          <p id={`${id}-config-help`} className="text-xs text-zinc-500 dark:text-zinc-400">
            {fileName ? <>Loaded {fileName}. </> : null}
            The credentials are sent only to Berth, encrypted when saved, and never shown again.
          </p>
        </div>
      </div>

      {failure ? (
        <div className="mt-4">
          <Alert tone="error">
            <p>{failure.message}</p>
            {failure.errors.length > 0 ? (
              <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs">
                {failure.errors.map((e) => (
                  <li key={`${e.path}:${e.message}`}>
                    <code className="font-mono break-all">{e.path || "body"}</code>: {e.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </Alert>
        </div>
      ) : null}

      {current ? (
        <div role="region" aria-label="Import preview" className="mt-4">
          <p className="text-sm font-medium" aria-live="polite">
            {importSummary(current)}.
          </p>
          <ImportPreview answer={current} />
        </div>
      ) : preview ? (
        <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite">
          The config changed since the preview: preview it again before importing.
        </p>
      ) : null}

      <DialogActions>
        <Button variant="secondary" onClick={close} disabled={busy !== null}>
          Cancel
        </Button>
        <Button variant="secondary" onClick={() => void run(true)} disabled={busy !== null} aria-busy={busy === "preview" || undefined}>
          {busy === "preview" ? <Spinner className="h-3.5 w-3.5" /> : null}
          Preview
        </Button>
        <Button onClick={() => void run(false)} disabled={busy !== null || creatable === 0} aria-busy={busy === "import" || undefined}>
          {busy === "import" ? <Spinner className="h-3.5 w-3.5" /> : null}
          Import
        </Button>
      </DialogActions>
    </Dialog>
  );
}
