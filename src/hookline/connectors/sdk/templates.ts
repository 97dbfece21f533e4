/**
 * Templates for declarative connectors: liquidjs, logic-limited and sandboxed by design (it interprets
 * its own AST and never compiles to JavaScript), with its parse, render-time and memory limits set.
 * Shared by every connector through the SDK, so limits and escaping rules live in one place.
 */
import { Liquid, type Template as LiquidTemplate } from 'liquidjs';
import { z } from 'zod';
import type { UserRegisteredEvent } from '../../core/events/user-registered.event';

/** Limits of one template. Named, so a README can quote them. */
export const TEMPLATE_LIMITS = Object.freeze({
  /** Characters of template source. */
  maxSourceLength: 20_000,
  /** Render time budget, ms (liquidjs `renderLimit`). */
  renderLimitMs: 100,
  /** liquidjs `memoryLimit`: roughly, characters and items the filters may allocate. */
  memoryLimit: 1_000_000,
  /** Characters of one rendered output; longer output is cut. */
  maxOutputLength: 40_000,
});

/** What a template sees: `{{ user.email }}`, `{{ context.connection.name }}`, `{{ event.id }}`. */
export interface TemplateScope {
  user: UserRegisteredEvent['user'];
  context: UserRegisteredEvent['context'];
  event: { id: string; occurredAt: string; tenant: string };
}

export function templateScope(event: UserRegisteredEvent): TemplateScope {
  return {
    user: event.user,
    context: event.context,
    event: { id: event.id, occurredAt: event.occurredAt, tenant: event.tenant },
  };
}

export interface TemplateOptions {
  /**
   * Applied to every value a `{{ }}` inserts (not to the template's own literal text), e.g. Slack
   * mrkdwn escaping. The `raw` filter skips it for one output.
   */
  escape?: (value: string) => string;
}

export interface Template {
  readonly source: string;
  /** Renders; a missing variable renders as "" (`strictVariables` is off). Throws on a render limit. */
  render(scope: TemplateScope): string;
}

/** A template did not parse. `message` says where, in liquidjs's words. */
export class TemplateSyntaxError extends Error {}

const engines = new Map<TemplateOptions['escape'], Liquid>();

function engineFor(escape: TemplateOptions['escape']): Liquid {
  let engine = engines.get(escape);
  if (!engine) {
    engine = new Liquid({
      strictVariables: false,
      strictFilters: true,
      ownPropertyOnly: true,
      // No file system: `include`, `render` and `layout` find nothing.
      templates: {},
      cache: false,
      parseLimit: TEMPLATE_LIMITS.maxSourceLength,
      renderLimit: TEMPLATE_LIMITS.renderLimitMs,
      memoryLimit: TEMPLATE_LIMITS.memoryLimit,
      // liquidjs hands the escape hook the raw value: undefined for a missing field, numbers, objects.
      outputEscape: escape && ((value: unknown) => escape(value == null ? '' : String(value))),
    });
    engines.set(escape, engine);
  }
  return engine;
}

/** Parses a template now, so a syntax error is found when the config loads. Throws TemplateSyntaxError. */
export function compileTemplate(source: string, options: TemplateOptions = {}): Template {
  if (source.length > TEMPLATE_LIMITS.maxSourceLength) {
    throw new TemplateSyntaxError(`template longer than ${TEMPLATE_LIMITS.maxSourceLength} characters`);
  }
  const engine = engineFor(options.escape);
  let parsed: LiquidTemplate[];
  try {
    parsed = engine.parse(source);
  } catch (error) {
    throw new TemplateSyntaxError(`invalid template: ${firstLine((error as Error).message)}`);
  }
  return {
    source,
    render(scope) {
      let rendered: unknown;
      try {
        rendered = engine.renderSync(parsed, scope);
      } catch (error) {
        // The render budget is wall-clock time, so a pause of the whole process (a long garbage collection,
        // a machine busy with other work) can use it up for an innocent template: it is rendered once more.
        // A template slow by itself (a loop over millions) fails again, having cost at most twice the budget.
        if (!isRenderTimeLimit(error)) throw error;
        rendered = engine.renderSync(parsed, scope);
      }
      const out = String(rendered ?? '');
      return out.length > TEMPLATE_LIMITS.maxOutputLength ? out.slice(0, TEMPLATE_LIMITS.maxOutputLength) : out;
    },
  };
}

function isRenderTimeLimit(error: unknown): boolean {
  return error instanceof Error && error.message.includes('template render limit exceeded');
}

/**
 * A config field holding a template: a string compiled at config-load time. A syntax error is a config
 * issue at the field's path (`tenants.acme.connectors[0].text: invalid template: ...`).
 */
export function templateField(options: TemplateOptions = {}): z.ZodType<Template, string> {
  return z.string('expected a template (a string)').transform((source, ctx) => {
    try {
      return compileTemplate(source, options);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** JSON whose every string value is a template (Slack Block Kit blocks, say). */
export type TemplateTree = string | number | boolean | null | Template | TemplateTree[] | { [key: string]: TemplateTree };

export function templateTreeField(options: TemplateOptions = {}): z.ZodType<TemplateTree, unknown> {
  return z.unknown().transform((value, ctx) => {
    const compile = (node: unknown, path: PropertyKey[]): TemplateTree => {
      if (typeof node === 'string') {
        try {
          return compileTemplate(node, options);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message, path: path as (string | number)[] });
          return null;
        }
      }
      if (Array.isArray(node)) return node.map((item, i) => compile(item, [...path, i]));
      if (node && typeof node === 'object') {
        return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, compile(v, [...path, k])]));
      }
      if (node === undefined || typeof node === 'function' || typeof node === 'symbol' || typeof node === 'bigint') {
        ctx.addIssue({ code: 'custom', message: 'expected JSON', path: path as (string | number)[] });
        return null;
      }
      return node as number | boolean | null;
    };
    return compile(value, []);
  });
}

/** Renders every template in a tree, keeping its shape. */
export function renderTree(tree: TemplateTree, scope: TemplateScope): unknown {
  if (isTemplate(tree)) return tree.render(scope);
  if (Array.isArray(tree)) return tree.map((item) => renderTree(item, scope));
  if (tree && typeof tree === 'object') {
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, renderTree(v, scope)]));
  }
  return tree;
}

function isTemplate(value: unknown): value is Template {
  return !!value && typeof value === 'object' && typeof (value as Template).render === 'function' && 'source' in value;
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
