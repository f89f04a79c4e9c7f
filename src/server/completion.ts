import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type Position,
} from "vscode-languageserver/node";
import { DEFINITION_KEY_DOCS, DEFINITION_KEYS, ROLE_DOCS } from "../core/definitions/definitionKeys";
import { agentDefinitionTemplate } from "../core/definitions/definitionFiles";
import { AGENT_ROLES, INHERIT_MODEL } from "../core/definitions/definitionSchema";
import { extensionToolEntry, TOOL_DOCS, TOOL_NAMES } from "../core/definitions/toolNames";
import { configuredModelRefs } from "../core/definitions/valueChecks";
import { NO_OFFERS, type VscodeOffers } from "../core/definitions/vscodeOffers";
import type { ProviderConfig } from "../core/settings/schema";
import { cursorContext } from "./frontMatterContext";

/** Re-opens the suggest widget after a key is inserted, so its values show at once. */
const TRIGGER_SUGGEST = { title: "Suggest values", command: "editor.action.triggerSuggest" };

/** A name in a `tools:` list, `vscode:` entries included. */
const TOOL_TOKEN = /[\w.:-]*$/;

/**
 * Completion inside an agent definition's front matter: keys, tool names,
 * roles, models, booleans; with what VS Code offers (its models and tools)
 * among the values.
 */
export function definitionCompletions(
  text: string,
  position: Position,
  providers: readonly ProviderConfig[],
  offers: VscodeOffers = NO_OFFERS,
): CompletionItem[] {
  const context = cursorContext(text, position);
  switch (context.kind) {
    case "empty":
      return [templateItem(position)];
    case "key":
      return DEFINITION_KEYS.filter((key) => !context.present.has(key)).map((key, index) => {
        const doc = DEFINITION_KEY_DOCS[key];
        const reopen = key === "tools" || key === "model";
        const item: CompletionItem = {
          label: key,
          kind: CompletionItemKind.Property,
          detail: doc.detail,
          documentation: { kind: MarkupKind.Markdown, value: doc.documentation },
          insertTextFormat: InsertTextFormat.Snippet,
          textEdit: {
            range: { start: { line: context.line, character: context.start }, end: position },
            newText: `${key}: ${reopen ? (key === "tools" ? "[$0]" : "$0") : doc.valueSnippet}`,
          },
          sortText: String(index).padStart(2, "0"),
        };
        if (reopen) item.command = TRIGGER_SUGGEST;
        return item;
      });
    case "value":
      return valueItems(context.key, context.lineText, context.valueStart, position, providers, offers);
    case "listItem":
      return context.key === "tools" ? toolItems(new Set(context.siblings), tokenRange(text, position), offers) : [];
    case "none":
      return [];
  }
}

function valueItems(
  key: string,
  lineText: string,
  valueStart: number,
  position: Position,
  providers: readonly ProviderConfig[],
  offers: VscodeOffers,
): CompletionItem[] {
  const wholeValue = { start: { line: position.line, character: valueStart }, end: position };
  // `model:openai:x` would be one plain scalar, not a key and a value.
  const space = lineText[valueStart - 1] === ":" ? " " : "";
  const items = valueItemsFor(key, lineText, valueStart, position, providers, offers, wholeValue);
  if (space) for (const item of items) if (item.textEdit && "range" in item.textEdit) item.textEdit.newText = space + item.textEdit.newText;
  return items;
}

function valueItemsFor(
  key: string,
  lineText: string,
  valueStart: number,
  position: Position,
  providers: readonly ProviderConfig[],
  offers: VscodeOffers,
  wholeValue: { start: Position; end: Position },
): CompletionItem[] {
  switch (key) {
    case "tools": {
      const value = lineText.slice(valueStart);
      const typed = lineText.slice(valueStart, position.character);
      const token = TOOL_TOKEN.exec(typed)?.[0] ?? "";
      const listed = new Set((value.match(/[A-Za-z_][\w.:-]*/g) ?? []).filter((name) => name !== token));
      const range = { start: { line: position.line, character: position.character - token.length }, end: position };
      // Right after `tools: ` a bare name would be a string, not a list: insert `[name]`.
      return toolItems(listed, range, offers, typed.trim() === "" || typed.trim() === token);
    }
    case "role":
      return AGENT_ROLES.map((role) => ({
        label: role,
        kind: CompletionItemKind.EnumMember,
        documentation: ROLE_DOCS[role],
        textEdit: { range: wholeValue, newText: role },
      }));
    case "background":
      return ["false", "true"].map((value) => ({
        label: value,
        kind: CompletionItemKind.Value,
        textEdit: { range: wholeValue, newText: value },
      }));
    case "model":
      return [
        ...configuredModelRefs(providers).map((ref, index) => ({
          label: ref,
          kind: CompletionItemKind.Value,
          detail: `configured in subagents.providers`,
          sortText: String(index).padStart(4, "0"),
          filterText: ref,
          textEdit: { range: wholeValue, newText: ref },
        })),
        ...offers.models.map((ref, index) => ({
          label: ref,
          kind: CompletionItemKind.Value,
          detail: "offered by VS Code (Copilot or another extension)",
          sortText: `8${String(index).padStart(3, "0")}`,
          filterText: ref,
          textEdit: { range: wholeValue, newText: ref },
        })),
        {
          label: INHERIT_MODEL,
          kind: CompletionItemKind.Keyword,
          detail: "the default subagent model",
          sortText: "9999",
          textEdit: { range: wholeValue, newText: INHERIT_MODEL },
        },
      ];
    default:
      return [];
  }
}

/** Our tools first, then VS Code's as `vscode:<name>` entries (plain-text documentation: other extensions wrote it). */
function toolItems(
  listed: ReadonlySet<string>,
  range: { start: Position; end: Position },
  offers: VscodeOffers,
  bracket = false,
): CompletionItem[] {
  const ours = TOOL_NAMES.filter((tool) => !listed.has(tool)).map((tool, index) => ({
    label: tool as string,
    kind: CompletionItemKind.Function,
    detail: "agent tool",
    documentation: TOOL_DOCS[tool],
    sortText: String(index).padStart(2, "0"),
    filterText: tool as string,
    textEdit: { range, newText: bracket ? `[${tool}]` : tool },
  }));
  const theirs = offers.tools
    .map((tool) => ({ entry: extensionToolEntry(tool.name), description: tool.description }))
    .filter(({ entry }) => !listed.has(entry))
    .map(({ entry, description }, index) => ({
      label: entry,
      kind: CompletionItemKind.Function,
      detail: "VS Code tool (needs subagents.extensionTools to offer it too)",
      documentation: description,
      sortText: `z${String(index).padStart(4, "0")}`,
      filterText: entry,
      textEdit: { range, newText: bracket ? `[${entry}]` : entry },
    }));
  return [...ours, ...theirs];
}

function tokenRange(text: string, position: Position): { start: Position; end: Position } {
  const lineText = text.split(/\r\n|\r|\n/)[position.line] ?? "";
  const token = TOOL_TOKEN.exec(lineText.slice(0, position.character))?.[0] ?? "";
  return { start: { line: position.line, character: position.character - token.length }, end: position };
}

function templateItem(position: Position): CompletionItem {
  const escaped = agentDefinitionTemplate("NAME").replace(/[$}\\]/g, "\\$&");
  const snippet = escaped.replace("NAME", "${1:reviewer}").replace(/NAME/g, "$1");
  return {
    label: "agent definition",
    kind: CompletionItemKind.Snippet,
    detail: "Front matter and prompt of a new agent type",
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: { range: { start: { line: position.line, character: 0 }, end: position }, newText: snippet },
  };
}
