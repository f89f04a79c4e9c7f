import { MarkupKind, type Hover, type Position } from "vscode-languageserver/node";
import { DEFINITION_KEY_DOCS, ROLE_DOCS, isDefinitionKey } from "../core/definitions/definitionKeys";
import type { DefinitionDialect } from "../core/definitions/definitionSchema";
import { splitFrontMatter } from "../core/definitions/frontMatter";
import { LineIndex } from "../core/definitions/textRange";
import { TOOL_DOCS, CLAUDE_TOOL_ALIASES, isToolName } from "../core/definitions/toolNames";
import { splitModelRef, type ProviderConfig } from "../core/settings/schema";
import { KEY_LINE, ownerKey } from "./frontMatterContext";

/** Hover documentation for front-matter keys and for tool, role and model values. */
export function definitionHover(
  text: string,
  position: Position,
  dialect: DefinitionDialect,
  providers: readonly ProviderConfig[],
): Hover | null {
  const split = splitFrontMatter(text);
  if (!split?.close) return null;
  const lines = new LineIndex(text);
  const firstLine = lines.positionAt(split.yamlOffset).line;
  const endLine = lines.positionAt(split.close.start).line;
  if (position.line < firstLine || position.line >= endLine) return null;

  const lineText = lines.lineText(position.line);
  const word = wordAt(lineText, position.character);
  if (!word) return null;
  const range = { start: { line: position.line, character: word.start }, end: { line: position.line, character: word.end } };
  const markdown = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range });

  const keyMatch = KEY_LINE.exec(lineText);
  const key = keyMatch?.[1];
  if (key && word.start === 0) {
    if (!isDefinitionKey(key)) return null;
    const doc = DEFINITION_KEY_DOCS[key];
    return markdown(`**${key}** — ${doc.detail}\n\n${doc.documentation}`);
  }

  const owner = key ?? ownerKey(lines, firstLine, position.line)?.key;
  if (owner === "tools") {
    const tool = isToolName(word.text) ? word.text : dialect === "claude" ? CLAUDE_TOOL_ALIASES[word.text] : undefined;
    if (!tool) return null;
    const alias = tool === word.text ? "" : ` (Claude Code's \`${word.text}\`)`;
    return markdown(`**${tool}**${alias} — ${TOOL_DOCS[tool]}`);
  }
  if (owner === "role" && (word.text === "leaf" || word.text === "orchestrator")) {
    return markdown(`**${word.text}** — ${ROLE_DOCS[word.text]}`);
  }
  if (owner === "model") {
    const ref = splitModelRef(word.text);
    const provider = ref && providers.find((p) => p.id === ref.providerId);
    if (!ref || !provider) return null;
    return markdown(`**${ref.model}** on provider \`${provider.id}\` (${provider.baseUrl})`);
  }
  return null;
}

/** The word under the cursor; model references keep their `:` and `/`. */
function wordAt(line: string, character: number): { text: string; start: number; end: number } | undefined {
  const isWord = (ch: string | undefined) => ch !== undefined && /[\w.:/-]/.test(ch);
  let start = character;
  let end = character;
  while (start > 0 && isWord(line[start - 1])) start--;
  while (end < line.length && isWord(line[end])) end++;
  // A key's colon ends the key: `tools:` hovers as `tools`.
  const text = line.slice(start, end).replace(/:$/, "");
  if (text === "") return undefined;
  return { text, start, end: start + text.length };
}
