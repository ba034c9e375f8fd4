/** Query parameters the way LifeTime reads them: names and booleans case-insensitive ([PY] §1.1: `True`). */

export function queryValue(query: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** undefined when the value is not a boolean; absent means false. */
export function queryBoolean(query: URLSearchParams, name: string): boolean | undefined {
  const value = queryValue(query, name);
  if (value === undefined || value === '') return false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}
