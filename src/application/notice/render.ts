import { InternalError } from '../../domain/shared/index.js';
import { readFileSync } from 'node:fs';

/** What a template may insert: strings, and lists of rows of strings for a `{{#name}}…{{/name}}` section. */
export type TemplateValues = Readonly<Record<string, string | readonly Readonly<Record<string, string>>[]>>;

export class TemplateError extends InternalError {
  constructor(message: string) {
    super('notice.template_invalid', message);
  }
}

/**
 * `{{name}}` inserts a value; `{{#rows}}…{{/rows}}` repeats its body once per
 * row, whose `{{name}}`s are the row's. Nothing else: no logic in templates.
 * One pass over the template, so a value that itself reads `{{…}}` is
 * inserted as text, never expanded.
 */
const TOKEN = /\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}|\{\{(\w+)\}\}/g;
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const value = (values: Readonly<Record<string, unknown>>, name: string, where: string): string => {
  const found = values[name];
  if (typeof found !== 'string') throw new TemplateError(`${where}: {{${name}}} has no text value`);
  return found;
};

/** Fills `template`, passing every inserted value through `escape` (HTML escaping for the html part). */
export const fillTemplate = (template: string, values: TemplateValues, escape: (text: string) => string, where: string): string => {
  // A `{{` the grammar does not read (a typo, an unclosed section) would reach the customer as is.
  if (/\{\{|\}\}/.test(template.replace(TOKEN, ''))) throw new TemplateError(`${where}: a {{ or }} that is not a placeholder`);
  return template.replace(TOKEN, (_match, section: string | undefined, body: string | undefined, name: string | undefined) => {
    if (section === undefined) return escape(value(values, name!, where));
    const rows = values[section];
    if (!Array.isArray(rows)) throw new TemplateError(`${where}: {{#${section}}} has no list of rows`);
    return (rows as readonly Readonly<Record<string, string>>[])
      .map((row) => body!.replace(PLACEHOLDER, (_m, inner: string) => escape(value(row, inner, `${where} {{#${section}}}`))))
      .join('');
  });
};

const cache = new Map<string, string>();

/** A template file next to this module, read once. */
export const loadTemplate = (file: string): string => {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(`./templates/${file}`, import.meta.url), 'utf8').replace(/\r\n/g, '\n');
    cache.set(file, text);
  }
  return text;
};
