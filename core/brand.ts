/** Nominal types for identities that must not be confused with plain strings. Pure. */
declare const brand: unique symbol;
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };
