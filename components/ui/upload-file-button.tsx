"use client";

import { useRef } from "react";
import { Button } from "./button";
import { UploadIcon } from "./icons";

/**
 * A button that opens the browser's file picker and hands the chosen file to `onFile`; the file
 * input itself is hidden (named `inputLabel` for tests and assistive technology) and reset after
 * each pick, so the same file can be chosen again.
 */
export function UploadFileButton({
  children,
  accept,
  onFile,
  disabled,
  inputLabel,
}: {
  children: React.ReactNode;
  accept: string;
  onFile: (file: File | undefined) => void;
  disabled?: boolean;
  inputLabel?: string;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => fileRef.current?.click()} disabled={disabled}>
        <UploadIcon />
        {children}
      </Button>
      <input
        ref={fileRef}
        type="file"
        hidden
        tabIndex={-1}
        aria-label={inputLabel}
        accept={accept}
        onChange={(e) => {
          onFile(e.target.files?.[0]);
          e.target.value = "";
        }}
      />
    </>
  );
}
