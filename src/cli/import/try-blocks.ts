import type { Node } from 'acorn';
import { parseHookScript } from '../../hookline/hooks/compat/require-check';

/** Where a block starts and ends (1-based lines, 1-based columns). */
export interface Span {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/** The `try { … }` blocks of a script: a require there is guarded (its failure is the script's to catch). */
export function tryBlocks(source: string, filename: string): Span[] {
  const spans: Span[] = [];
  walk(parseHookScript(source, filename), spans);
  return spans;
}

export function within(span: Span, line: number, column: number): boolean {
  const after = line > span.start.line || (line === span.start.line && column >= span.start.column);
  const before = line < span.end.line || (line === span.end.line && column <= span.end.column);
  return after && before;
}

function walk(node: unknown, out: Span[]): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((child) => walk(child, out));
  const n = node as Node & Record<string, unknown>;
  if (n.type === 'TryStatement') {
    const loc = (n.block as Node).loc!;
    out.push({ start: { line: loc.start.line, column: loc.start.column + 1 }, end: { line: loc.end.line, column: loc.end.column + 1 } });
  }
  for (const key of Object.keys(n)) if (key !== 'loc') walk(n[key], out);
}
