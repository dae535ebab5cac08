"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { CloseIcon, NoticeIcon } from "./icons";

type Tone = "success" | "error" | "warning" | "info";

export interface ToastInput {
  title: string;
  description?: string;
  tone?: Tone;
}

interface ToastItem extends Required<Pick<ToastInput, "title" | "tone">> {
  id: number;
  description?: string;
}

const ToastContext = createContext<((toast: ToastInput) => void) | null>(null);

/** Shows a short-lived notification for a completed action. */
export function useToast(): (toast: ToastInput) => void {
  const toast = useContext(ToastContext);
  if (!toast) throw new Error("useToast must be used inside <ToastProvider>");
  return toast;
}

/**
 * Toasts live in one polite live region labelled "Notifications" (never "Connection test
 * result", which belongs to the form's status region). The region is always in the DOM so that
 * screen readers announce what is added to it. A toast stays while hovered or focused.
 */
export function ToastProvider({ children }: { children: React.ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const toast = useCallback((input: ToastInput) => {
    const item: ToastItem = { id: nextId.current++, title: input.title, description: input.description, tone: input.tone ?? "success" };
    // At most three at a time: the oldest goes first.
    setToasts((list) => [...list.slice(-2), item]);
  }, []);
  const value = useMemo(() => toast, [toast]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      <section
        aria-label="Notifications"
        className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex justify-center p-3 sm:inset-x-auto sm:right-0 sm:justify-end sm:p-4"
      >
        <ol aria-live="polite" aria-relevant="additions text" className="flex w-full max-w-sm flex-col gap-2">
          {toasts.map((t) => (
            <Toast key={t.id} item={t} onDismiss={dismiss} />
          ))}
        </ol>
      </section>
    </ToastContext.Provider>
  );
}

const RINGS: Record<Tone, string> = {
  success: "ring-emerald-200 dark:ring-emerald-900",
  error: "ring-red-200 dark:ring-red-900",
  warning: "ring-amber-200 dark:ring-amber-900",
  info: "ring-sky-200 dark:ring-sky-900",
};

function Toast({ item, onDismiss }: { item: ToastItem; onDismiss: (id: number) => void }) {
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    const timer = window.setTimeout(() => onDismiss(item.id), item.tone === "error" ? 10_000 : 5_000);
    return () => window.clearTimeout(timer);
  }, [paused, item.id, item.tone, onDismiss]);
  return (
    <li
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
      className={`pointer-events-auto flex items-start gap-3 rounded-lg bg-white p-3 text-sm shadow-lg ring-1 motion-safe:animate-[toast-in_150ms_ease-out] dark:bg-zinc-900 ${RINGS[item.tone]}`}
    >
      <NoticeIcon tone={item.tone} />
      <div className="min-w-0 flex-1">
        <p className="font-medium break-words">{item.title}</p>
        {item.description ? <p className="mt-0.5 break-words text-zinc-600 dark:text-zinc-400">{item.description}</p> : null}
      </div>
      <button
        type="button"
        onClick={() => onDismiss(item.id)}
        aria-label="Dismiss notification"
        className="-m-1 rounded p-1 text-zinc-400 hover:text-zinc-700 focus-visible:outline-2 focus-visible:outline-brand-500 dark:hover:text-zinc-200"
      >
        <CloseIcon />
      </button>
    </li>
  );
}
