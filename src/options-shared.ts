/**
 * @internal What most clients' resolved options hold in common, held once: a client's resolved
 * options keep as their own only what differs from the defaults (its URL, almost always alone),
 * and read the rest from one frozen object of defaults, their prototype. With every key its own,
 * an object of 30 options cost each client about 200 bytes more heap.
 */
let defaults: Record<string, unknown> | undefined;

/**
 * `full` (every key present, as resolved), frozen, holding as own properties only the values that
 * differ from those of `makeDefaults()` (made once, on the first call, and frozen): the same reads,
 * the same `Object.isFrozen`, less heap. A spread would see the own keys alone: derive a copy with
 * `Object.create(options, { key: { value } })` instead.
 */
export function shareDefaults<T extends object>(full: T, makeDefaults: () => T): Readonly<T> {
  defaults ??= Object.freeze(makeDefaults()) as Record<string, unknown>;
  const base = defaults;
  const own: PropertyDescriptorMap = {};
  for (const key in full) if (full[key] !== base[key]) own[key] = { value: full[key], enumerable: true };
  return Object.freeze(Object.create(base, own));
}

/** A frozen copy of an option object the user (or a dialect) owns: theirs is left as it was. */
export function frozenCopy<T extends object>(value: T | undefined): Readonly<T> | undefined {
  return value && Object.freeze({ ...value });
}
