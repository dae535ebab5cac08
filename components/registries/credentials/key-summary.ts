/** The identity of a pasted service account key (not secret: the account's e-mail and project), when it parses. */
export function keySummary(text: string): { email: string; project: string | null } | null {
  if (!text.trim().startsWith("{")) return null;
  try {
    const key = JSON.parse(text) as { client_email?: unknown; project_id?: unknown };
    return typeof key.client_email === "string" ? { email: key.client_email, project: typeof key.project_id === "string" ? key.project_id : null } : null;
  } catch {
    return null;
  }
}
