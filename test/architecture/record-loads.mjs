// Loader hook for the layers test: prints every module URL the process resolves.
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write(`loaded ${result.url}\n`);
  return result;
}
