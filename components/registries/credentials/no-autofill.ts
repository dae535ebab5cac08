/** Stops browsers and password managers from filling the user's Berth login into registry credentials. */
export const NO_AUTOFILL = { "data-1p-ignore": "true", "data-lpignore": "true", "data-bwignore": "true", "data-form-type": "other" } as const;

/** Keys, certificates and configs are typed verbatim: no completion, capitals, corrections or spell check. */
export const VERBATIM_TEXT = { autoComplete: "off", autoCapitalize: "off", autoCorrect: "off", spellCheck: false } as const;
