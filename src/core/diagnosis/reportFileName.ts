/**
 * The file name offered when a diagnosis report is saved: `apim-mcp-diagnosis-<server>.md`, the server name's letters
 * and digits in lower case joined by single dashes, so "Products (sandbox)" gives `…-products-sandbox.md`, not
 * `…-Products-sandbox-.md`.
 */
export function reportFileName(serverName: string): string {
  const words = serverName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .match(/[a-z0-9]+/g);
  const slug = (words ?? []).join('-').slice(0, 60).replace(/-+$/, '');
  return `apim-mcp-diagnosis-${slug || 'server'}.md`;
}
