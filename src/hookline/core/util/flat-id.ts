/**
 * The same id as one flat string, for an id kept as long as the delivery records that name it. V8 holds a
 * concatenation as the parts it was made of until something reads it whole: `randomUUID()` answers a tree of
 * 14 concatenations, about 490 bytes kept against about 60 flat (`npm run bench:backlog`). About a
 * microsecond. Latin-1 text (every ASCII id) is copied flat; any other text is returned as it is.
 */
export function flatId(id: string): string {
  return BEYOND_LATIN1.test(id) ? id : Buffer.from(id, 'latin1').toString('latin1');
}

/** A UTF-16 code unit above U+00FF (surrogates included). */
const BEYOND_LATIN1 = /[\u0100-\uffff]/;
