import type { Middleware } from 'koa';
import type { z } from 'zod';
import { ValidationError } from '../../domain/shared/index.js';
import type { ApiState } from './types.js';

type Schemas = Readonly<{ body?: z.ZodType; query?: z.ZodType; params?: z.ZodType }>;

export type Validated<S extends Schemas> = {
  [K in keyof S]: S[K] extends z.ZodType ? z.infer<S[K]> : never;
};

/**
 * Validates the parts of a request named in `schemas` and puts the parsed
 * values on ctx.state.valid. All problems are reported at once, per field.
 */
/** What the OpenAPI document reads off a route's validation: the schemas it checks with, and nothing else. */
export type DescribedSchemas = Schemas;
export const SCHEMAS = Symbol('schemas');

export const validate = <S extends Schemas>(schemas: S): Middleware<ApiState & { valid: Validated<S> }> =>
  Object.assign(check(schemas), { [SCHEMAS]: schemas });

const check =
  <S extends Schemas>(schemas: S): Middleware<ApiState & { valid: Validated<S> }> =>
  async (ctx, next) => {
    const sources = {
      body: (ctx.request as { body?: unknown }).body,
      query: ctx.query,
      params: (ctx as unknown as { params?: unknown }).params,
    };
    const valid: Record<string, unknown> = {};
    const fields: { location: string; path: string; message: string }[] = [];
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(sources[part]);
      if (result.success) valid[part] = result.data;
      else
        for (const issue of result.error.issues)
          fields.push({ location: part, path: issue.path.join('.'), message: issue.message });
    }
    if (fields.length > 0) {
      throw new ValidationError('request.invalid', 'the request is not valid', { fields });
    }
    ctx.state.valid = valid as Validated<S>;
    await next();
  };
