import { splitFrontMatter } from "../core/definitions/frontMatter";
import { LineIndex, type TextPosition } from "../core/definitions/textRange";

/**
 * Where the cursor is inside the front matter, read from the text around it
 * rather than from a YAML tree: while the user types, the YAML is often
 * incomplete, and completion must still work.
 */
export type CursorContext =
  /** At the start of a line, typing a key. */
  | { kind: "key"; line: number; start: number; present: Set<string> }
  /** After `key:` on the same line; `valueStart` is where the value begins. */
  | { kind: "value"; key: string; line: number; valueStart: number; lineText: string }
  /** On a `- item` line of a block list that belongs to `key`. */
  | { kind: "listItem"; key: string; line: number; itemStart: number; siblings: string[] }
  | { kind: "none" }
  /** The file has no front matter yet, and the cursor is on its first line. */
  | { kind: "empty" };

/** A top-level `key:` at the start of a line. */
export const KEY_LINE = /^([A-Za-z_][\w-]*)[ \t]*:/;

export function cursorContext(text: string, position: TextPosition): CursorContext {
  const lines = new LineIndex(text);
  const split = splitFrontMatter(text);
  if (!split) {
    const first = lines.lineText(0);
    return position.line === 0 && "---".startsWith(first.trim()) && text.trim().length <= 3 ? { kind: "empty" } : { kind: "none" };
  }
  const firstLine = lines.positionAt(split.yamlOffset).line;
  const endLine = split.close ? lines.positionAt(split.close.start).line : lines.lineCount;
  if (position.line < firstLine || position.line >= endLine) return { kind: "none" };

  const lineText = lines.lineText(position.line);
  const prefix = lineText.slice(0, position.character);

  const keyMatch = KEY_LINE.exec(prefix);
  if (keyMatch?.[1]) {
    const valueStart = keyMatch[0].length + (/^[ \t]*/.exec(prefix.slice(keyMatch[0].length))?.[0].length ?? 0);
    return { kind: "value", key: keyMatch[1], line: position.line, valueStart, lineText };
  }
  if (/^[A-Za-z_][\w-]*$|^$/.test(prefix)) {
    const present = new Set<string>();
    for (let l = firstLine; l < endLine; l++) {
      const key = l === position.line ? undefined : KEY_LINE.exec(lines.lineText(l))?.[1];
      if (key) present.add(key);
    }
    return { kind: "key", line: position.line, start: 0, present };
  }
  const item = /^([ \t]*-[ \t]*)[\w.-]*$/.exec(prefix);
  if (item?.[1] !== undefined) {
    const owner = ownerKey(lines, firstLine, position.line);
    if (!owner) return { kind: "none" };
    const siblings: string[] = [];
    for (let l = owner.line + 1; l < endLine; l++) {
      const text = lines.lineText(l);
      if (KEY_LINE.test(text)) break;
      const name = /^[ \t]*-[ \t]*([\w.-]+)/.exec(text)?.[1];
      if (name && l !== position.line) siblings.push(name);
    }
    return { kind: "listItem", key: owner.key, line: position.line, itemStart: item[1].length, siblings };
  }
  return { kind: "none" };
}

/** The top-level key that owns an indented or `- item` line. */
export function ownerKey(lines: LineIndex, firstLine: number, line: number): { key: string; line: number } | undefined {
  for (let l = line - 1; l >= firstLine; l--) {
    const key = KEY_LINE.exec(lines.lineText(l))?.[1];
    if (key) return { key, line: l };
  }
  return undefined;
}
