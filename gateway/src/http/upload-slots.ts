// Bounds how many request bodies are being received at once, in all and per caller, so the
// memory held by uploads in flight is at most slots × the body limit, and one caller's slow
// uploads cannot take every slot from the others.

export interface UploadSlots {
  /** A release function, or null when no slot is free (for everyone, or for this caller). */
  acquire(caller: string): (() => void) | null;
  inUse(): number;
}

export function createUploadSlots(options: { max: number; maxPerCaller: number }): UploadSlots {
  const { max, maxPerCaller } = options;
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  const perCaller = new Map<string, number>();
  let used = 0;
  return {
    acquire(caller) {
      const held = perCaller.get(caller) ?? 0;
      if (used >= max || held >= maxPerCaller) return null;
      used++;
      perCaller.set(caller, held + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        used--;
        const left = (perCaller.get(caller) ?? 1) - 1;
        if (left === 0) perCaller.delete(caller);
        else perCaller.set(caller, left);
      };
    },
    inUse: () => used,
  };
}
