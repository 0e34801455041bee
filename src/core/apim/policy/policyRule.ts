import type { PolicyDocument } from './policyReader';

export type PolicySeverity = 'error' | 'warning' | 'information';

/** What kind of policy a document is, which decides the rules that apply. */
export type PolicyScope =
  /** An MCP server's own policy (MCP APIs do not inherit API-level policies). */
  | 'mcp'
  /** The operation that serves protected-resource metadata (RFC 9728). */
  | 'prm'
  /** Anything else: global, product, API or operation scope of an ordinary API. */
  | 'other';

/** Offsets are relative to the policy text that was read (for Bicep, the decoded string literal). */
export interface PolicyTextEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

export interface PolicyFix {
  readonly title: string;
  readonly edits: readonly PolicyTextEdit[];
}

export interface LintOptions {
  /** The file the policy came from; it decides how the policy is held (XML, Bicep, JSON, Terraform), never its scope. */
  readonly fileName?: string;
  /** Overrides the inferred scope. */
  readonly scope?: PolicyScope;
  /** Tool names from the server's `tools/list`, for per-tool coverage. */
  readonly tools?: readonly string[];
  /** The MCP server URL the PRM `resource` must equal. */
  readonly mcpUrl?: string;
  /** The protected-resource metadata URL, which makes the Bearer-challenge fix possible. */
  readonly prmUrl?: string;
  /** The backend reads the caller's `Authorization` header (e.g. on-behalf-of). */
  readonly backendNeedsAuthorization?: boolean;
}

export interface RuleContext {
  readonly doc: PolicyDocument;
  readonly scope: PolicyScope;
  /** The scope was given (a directive or an option), not inferred from the content. */
  readonly scopeStated: boolean;
  readonly options: LintOptions;
  report(finding: { message: string; start: number; end: number; fixes?: PolicyFix[] }): void;
}

export interface PolicyRule {
  readonly id: string;
  readonly severity: PolicySeverity;
  /** One line, used in docs and quick-pick lists. */
  readonly title: string;
  check(context: RuleContext): void;
}
