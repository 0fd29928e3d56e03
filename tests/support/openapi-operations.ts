/** The operations of an OpenAPI document as "METHOD /path/{param}" strings. */
export function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
}

/** Every route the app serves under /api, in the document's notation (`:id` becomes `{id}`). */
export function appOperations(routes: ReadonlyArray<{ method: string; path: string }>): string[] {
  const ops = routes
    .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/') && !r.path.includes('*'))
    .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  return [...new Set(ops)];
}

/** The document operation a concrete request path hits (static segments win over parameters). */
export function operationFor(operations: string[], method: string, path: string): string | undefined {
  const matches = operations.filter((op) => {
    const [m, template] = op.split(' ') as [string, string];
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return m === method && pattern.test(path.split('?')[0]!);
  });
  return matches.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
}
