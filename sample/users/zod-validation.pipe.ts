import { BadRequestException, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** Validates with a zod schema; a failure is a 400 listing every field and what was expected. */
export class ZodValidationPipe<T> implements PipeTransform<unknown, T> {
  constructor(
    private readonly schema: z.ZodType<T>,
    private readonly what: string,
  ) {}

  transform(value: unknown): T {
    const parsed = this.schema.safeParse(value, { reportInput: true });
    if (parsed.success) return parsed.data;
    throw new BadRequestException({
      statusCode: 400,
      message: `invalid ${this.what}`,
      errors: parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }))
          : [{ field: issue.path.join('.') || this.what, message: describe(issue) }],
      ),
    });
  }
}

function describe(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
}
