import { DiagnosticSeverity, SymbolKind, type Diagnostic, type DocumentSymbol } from "vscode-languageserver/node";
import type { DefinitionDiagnostic, DefinitionSeverity, ParsedDefinitionFile } from "../core/definitions/parseDefinition";

const SEVERITY: Readonly<Record<DefinitionSeverity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Shown in the Problems panel next to each message. */
export const DIAGNOSTIC_SOURCE = "subagents";

export function toLspDiagnostic(diagnostic: DefinitionDiagnostic): Diagnostic {
  return {
    range: diagnostic.range,
    severity: SEVERITY[diagnostic.severity],
    code: diagnostic.code,
    source: DIAGNOSTIC_SOURCE,
    message: diagnostic.message,
  };
}

/** One symbol for the agent, with a child per front-matter key. */
export function definitionSymbols(file: ParsedDefinitionFile): DocumentSymbol[] {
  const fallbackName = file.path.replace(/\\/g, "/").split("/").pop()?.replace(/\.md$/, "") ?? "agent";
  const description = file.definition?.description;
  const symbol: DocumentSymbol = {
    name: file.name ?? fallbackName,
    kind: SymbolKind.Class,
    range: file.range,
    selectionRange: file.nameRange ?? { start: file.range.start, end: file.range.start },
    children: file.entries.map((entry) => ({
      name: entry.key,
      kind: SymbolKind.Property,
      range: entry.range,
      selectionRange: entry.keyRange,
    })),
  };
  if (description) symbol.detail = description.length > 80 ? `${description.slice(0, 79)}…` : description;
  return [symbol];
}
