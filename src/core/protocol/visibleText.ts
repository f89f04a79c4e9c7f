/**
 * Characters that change what a reader sees without being seen themselves:
 * control characters (a carriage return can overwrite the start of a line),
 * bidirectional overrides and isolates (they reorder text on screen, so
 * `rm -rf x` can read as something else), zero-width and other invisible
 * characters, and Unicode tag characters. Newline and tab are left alone:
 * they are visible as line breaks and indentation.
 */
const INVISIBLE =
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFFB]|\uDB40[\uDC00-\uDDEF]/g;

/** True when the text holds a character that `showInvisibles` would escape. */
export function hasInvisibleCharacters(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}

/**
 * The text with every invisible character written as an escape (`\u202E`),
 * so that what is shown next to Approve is what will run.
 */
export function showInvisibles(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  });
}
