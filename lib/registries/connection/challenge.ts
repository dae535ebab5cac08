/**
 * `WWW-Authenticate` parsing (RFC 9110 section 11.6.1): several headers, several
 * challenges per header, case-insensitive schemes and parameter names,
 * quoted or bare values. Pure functions.
 */

export interface AuthChallenge {
  /** Lower-case scheme: `basic`, `bearer`, ... */
  scheme: string;
  /** Parameters with lower-case names. */
  params: Record<string, string>;
  /** A token68 credential-like blob (e.g. `Negotiate abc==`), if any. */
  token68?: string;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const SPACES = /[ \t]*/y;
const PARAM_START = /[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=(?!=)/y;

class Cursor {
  constructor(
    readonly text: string,
    public pos = 0,
  ) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  match(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (found) this.pos = pattern.lastIndex;
    return found;
  }

  skipSpaces(): void {
    this.match(SPACES);
  }

  /** Skips spaces and commas (empty list elements are allowed). */
  skipSeparators(): void {
    while (!this.done() && /[\s,]/.test(this.peek() ?? "")) this.pos += 1;
  }
}

function readQuoted(cursor: Cursor): string {
  cursor.pos += 1; // opening quote
  let value = "";
  while (!cursor.done()) {
    const char = cursor.peek();
    cursor.pos += 1;
    if (char === '"') return value;
    if (char === "\\" && !cursor.done()) {
      value += cursor.peek();
      cursor.pos += 1;
    } else {
      value += char;
    }
  }
  return value; // unterminated: take what there is
}

function readValue(cursor: Cursor): string {
  cursor.skipSpaces();
  if (cursor.peek() === '"') return readQuoted(cursor);
  const start = cursor.pos;
  while (!cursor.done() && !/[\s,]/.test(cursor.peek() ?? "")) cursor.pos += 1;
  return cursor.text.slice(start, cursor.pos);
}

/** Reads `key=value` pairs until the next challenge or the end. */
function readParams(cursor: Cursor, challenge: AuthChallenge): void {
  for (;;) {
    const save = cursor.pos;
    cursor.skipSeparators();
    const param = cursor.match(PARAM_START);
    if (!param?.[1]) {
      cursor.pos = save;
      return;
    }
    challenge.params[param[1].toLowerCase()] = readValue(cursor);
  }
}

function readChallenge(cursor: Cursor): AuthChallenge | undefined {
  const scheme = cursor.match(TOKEN)?.[0];
  if (!scheme) {
    cursor.pos += 1; // skip a stray character
    return undefined;
  }
  const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
  cursor.skipSpaces();
  const save = cursor.pos;
  PARAM_START.lastIndex = cursor.pos;
  if (!PARAM_START.test(cursor.text)) {
    const token68 = cursor.match(TOKEN68)?.[0];
    const next = cursor.text.slice(cursor.pos).trimStart();
    if (token68 && (next === "" || next.startsWith(","))) challenge.token68 = token68;
    else cursor.pos = save;
  }
  readParams(cursor, challenge);
  return challenge;
}

/** Parses every challenge of one or several `WWW-Authenticate` header values. */
export function parseWwwAuthenticate(headers: string | readonly string[] | undefined): AuthChallenge[] {
  const values = headers === undefined ? [] : typeof headers === "string" ? [headers] : headers;
  const challenges: AuthChallenge[] = [];
  for (const value of values) {
    const cursor = new Cursor(value);
    cursor.skipSeparators();
    while (!cursor.done()) {
      const challenge = readChallenge(cursor);
      if (challenge) challenges.push(challenge);
      cursor.skipSeparators();
    }
  }
  return challenges;
}

export interface SelectedChallenge {
  scheme: "basic" | "bearer";
  realm?: string;
  service?: string;
  scope?: string;
  /** `error` parameter of a Bearer challenge (`invalid_token`, `insufficient_scope`). */
  error?: string;
}

/** Picks the challenge to answer: Bearer with a realm first, then Basic. */
export function selectChallenge(challenges: readonly AuthChallenge[]): SelectedChallenge | undefined {
  const bearer = challenges.find((challenge) => challenge.scheme === "bearer" && challenge.params.realm);
  if (bearer) {
    return {
      scheme: "bearer",
      realm: bearer.params.realm,
      service: bearer.params.service,
      scope: bearer.params.scope,
      error: bearer.params.error,
    };
  }
  const basic = challenges.find((challenge) => challenge.scheme === "basic");
  return basic ? { scheme: "basic", realm: basic.params.realm } : undefined;
}

/** The `error` parameter of any challenge (e.g. `insufficient_scope`). */
export function challengeError(challenges: readonly AuthChallenge[]): string | undefined {
  return challenges.find((challenge) => challenge.params.error)?.params.error;
}
