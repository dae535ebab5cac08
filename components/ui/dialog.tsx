"use client";

import { useEffect, useId, useRef } from "react";

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog on the native <dialog> element: `showModal()` puts it in the top layer and makes
 * the rest of the page inert, Tab wraps around inside it (the focus trap), Escape closes it (the `cancel` event is routed to
 * `onClose` so React state stays the source of truth), and on close focus returns to the element
 * that had it when the dialog opened, or to `fallbackFocus` when that element is gone.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  initialFocus,
  fallbackFocus,
  dismissible = true,
  className = "",
}: {
  open: boolean;
  onClose: () => void;
  title: React.ReactNode;
  description?: React.ReactNode;
  children: React.ReactNode;
  /** Receives focus on open; default: the first focusable element (the browser's choice). */
  initialFocus?: React.RefObject<HTMLElement | null>;
  /** Where focus goes on close when the opener no longer exists (e.g. a deleted row). */
  fallbackFocus?: () => HTMLElement | null;
  /** False while work is in flight: Escape and the backdrop do nothing. */
  dismissible?: boolean;
  className?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();
  const descriptionId = useId();
  const onCloseRef = useRef(onClose);
  const fallbackRef = useRef(fallbackFocus);
  useEffect(() => {
    onCloseRef.current = onClose;
    fallbackRef.current = fallbackFocus;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
      initialFocus?.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open, initialFocus]);

  // Closing from the outside (navigation, unmount while open) must still give focus back.
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const restore = () => {
      const target = opener.current;
      opener.current = null;
      // The opener may have been removed (its row deleted) while the dialog was open.
      const next = target instanceof HTMLElement && target.isConnected ? target : (fallbackRef.current?.() ?? null);
      next?.focus();
    };
    dialog.addEventListener("close", restore);
    return () => dialog.removeEventListener("close", restore);
  }, []);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(e) => {
        // Escape: let React decide (and refuse while work is in flight).
        e.preventDefault();
        if (dismissible) onCloseRef.current();
      }}
      onKeyDown={(e) => {
        // Keep Tab inside the dialog (the native modal lets it escape to the browser's own UI).
        if (e.key !== "Tab") return;
        const focusable = [...e.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute("disabled") && el.getClientRects().length > 0);
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        if (!first || !last) return;
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the <dialog> itself, outside its content box.
        if (e.target !== e.currentTarget || !dismissible) return;
        const box = e.currentTarget.getBoundingClientRect();
        const inside = e.clientX >= box.left && e.clientX <= box.right && e.clientY >= box.top && e.clientY <= box.bottom;
        if (!inside) onCloseRef.current();
      }}
      className={`m-auto w-[calc(100%-2rem)] max-w-md rounded-xl bg-white p-0 text-zinc-900 shadow-xl ring-1 ring-zinc-200 backdrop:bg-zinc-950/50 backdrop:backdrop-blur-[1px] dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-800 ${className}`}
    >
      {open ? (
        <div className="p-5">
          <h2 id={titleId} className="text-base font-semibold">
            {title}
          </h2>
          {description ? (
            <div id={descriptionId} className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
              {description}
            </div>
          ) : null}
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

/** The right-aligned button row at the bottom of a dialog; stacked full-width on narrow screens. */
export function DialogActions({ children }: { children: React.ReactNode }) {
  return <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">{children}</div>;
}
