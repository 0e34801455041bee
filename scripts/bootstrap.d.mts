// Types for bootstrap.mjs (plain JavaScript so that it runs before npm ci), for the TypeScript tests.
type Print = (line: string) => void;
export const ROOT: string;
export function dependenciesOutOfDate(root: string): string | undefined;
export function ensureDependencies(options: { root?: string; print: Print }): Promise<boolean>;
export function ensureTools(options: { root?: string; print: Print }): boolean;
export function ensureNode(options: { print: Print }): boolean;
