import { randomBytes } from "node:crypto";

/**
 * The secret-leak scanner of the leaks suite: canary secrets and a search for them (and their
 * base64, URL-encoded and JSON-escaped forms, and any 8-character fragment of their random part)
 * in any text. Every needle is 8 characters long, so a scan is one pass of an 8-character window
 * over the text with a set lookup, whatever the number of canaries.
 */

const WINDOW = 8;

export interface Canary {
  /** Where it was planted, e.g. `ghcr.credentials.token`. */
  label: string;
  value: string;
  /** The part of `value` nobody else could write (the random characters); fragments come from it. */
  random: string;
}

export interface Hit {
  place: string;
  canary: string;
  /** Which form matched (raw, base64, url, json). */
  form: string;
  /** A few characters around the match, with the match itself masked. */
  context: string;
}

/** 20 random lower-case letters and digits. */
export function randomPart(length = 20): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
}

/** A recognisable canary `canary-<where>-<random>`. */
export function canary(where: string, length = 20): Canary {
  const random = randomPart(length);
  return { label: where, value: `canary-${where}-${random}`, random };
}

/** A secret Berth generated (a token, a link, a code): the whole value is random but its known prefix. */
export function generatedSecret(label: string, value: string, prefix = /^[a-z]+_/i): Canary {
  return { label, value, random: value.replace(prefix, "") };
}

function windows(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + WINDOW <= text.length; i += 1) out.push(text.slice(i, i + WINDOW));
  return out;
}

/** Base64 of `text` at each of the three byte alignments it can have inside a longer value, without the edge characters that depend on its neighbours. */
function base64Forms(text: string): string[] {
  const forms: string[] = [];
  for (const pad of ["", "\0", "\0\0"]) {
    const b64 = Buffer.from(pad + text, "utf8").toString("base64");
    // The first group of four characters holds padding bits unless the text starts it; the last
    // partial group depends on what follows.
    const start = pad.length === 0 ? 0 : 4;
    const end = Math.floor(Buffer.byteLength(pad + text) / 3) * 4;
    const core = b64.slice(start, end);
    forms.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return forms;
}

export class LeakScanner {
  private readonly needles = new Map<string, { canary: string; form: string }>();
  readonly canaries: Canary[] = [];
  readonly hits: Hit[] = [];
  readonly byPlace = new Map<string, { items: number; bytes: number; hits: number }>();

  add(c: Canary): Canary {
    if (c.random.length < WINDOW) throw new Error(`canary ${c.label} has fewer than ${WINDOW} random characters`);
    this.canaries.push(c);
    const put = (needle: string, form: string) => {
      if (needle.length === WINDOW && !this.needles.has(needle)) this.needles.set(needle, { canary: c.label, form });
    };
    // Raw, URL-encoded and JSON-escaped forms of the random part (fragments of the whole value
    // that hold too little of it could be ordinary text, like "-token-a").
    for (const w of windows(c.random)) put(w, "raw");
    for (const w of windows(encodeURIComponent(c.random))) put(w, "url");
    for (const w of windows(JSON.stringify(c.random).slice(1, -1))) put(w, "json");
    for (const form of base64Forms(c.random)) for (const w of windows(form)) put(w, "base64");
    return c;
  }

  /** Counts `text` under `place` and records every canary found in it. */
  scan(place: string, where: string, text: string): number {
    const stat = this.byPlace.get(place) ?? { items: 0, bytes: 0, hits: 0 };
    this.byPlace.set(place, stat);
    stat.items += 1;
    stat.bytes += Buffer.byteLength(text);
    const seen = new Set<string>();
    let found = 0;
    for (let i = 0; i + WINDOW <= text.length; i += 1) {
      const match = this.needles.get(text.slice(i, i + WINDOW));
      if (!match || seen.has(match.canary)) continue;
      seen.add(match.canary);
      found += 1;
      const context = `${text.slice(Math.max(0, i - 60), i)}[${match.canary}]${text.slice(i + WINDOW, i + WINDOW + 60)}`.replace(/\s+/g, " ");
      this.hits.push({ place: `${place}: ${where}`, canary: match.canary, form: match.form, context });
    }
    stat.hits += found;
    return found;
  }

  /** Whether `text` holds the canary (for the positive controls). */
  contains(text: string, c: Canary): boolean {
    for (let i = 0; i + WINDOW <= text.length; i += 1) if (this.needles.get(text.slice(i, i + WINDOW))?.canary === c.label) return true;
    return false;
  }
}
