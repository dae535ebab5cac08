/** Stops browsers and password managers from filling the user's Berth login into registry credentials. */
export const NO_AUTOFILL = { "data-1p-ignore": "true", "data-lpignore": "true", "data-bwignore": "true", "data-form-type": "other" } as const;
