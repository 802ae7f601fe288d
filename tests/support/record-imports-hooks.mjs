// Module resolution hook registered by record-imports.mjs (runs on the loader thread).
import { appendFileSync } from 'node:fs';

const file = process.env.SHOPFLOW_RECORD_IMPORTS;

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (file) appendFileSync(file, `${result.url}\n`);
  return result;
}
