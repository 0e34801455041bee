/**
 * The diagnostics panel's message protocol, imported by the extension host and the webview. One union per
 * direction; every message that crosses the boundary is checked at runtime by `parseWebviewMessage` (host side)
 * or `parseHostMessage` (webview side). Nothing here may hold a secret: the diagnosis is redacted before it is
 * turned into a `DiagnosisView`, and the view state is what VS Code persists for the serializer.
 */

export const PANEL_VIEW_TYPE = 'apimMcp.diagnostics';

export type Severity = 'error' | 'warning' | 'info';
export type StepStatus = 'ok' | 'expected' | 'warning' | 'error' | 'skipped';
export type ClaimCheck = 'match' | 'mismatch' | 'info';

export interface ServerHeader {
  /** Stable id of the server in the Servers view (`<source>:<name>` or `<source>:<file>:<name>`). */
  readonly id: string;
  readonly name: string;
  readonly url: string;
  /** Human label of the auth kind, e.g. "subscription key". */
  readonly auth: string;
  /** Human label of the config source, e.g. "Workspace mcp.json". */
  readonly source: string;
  /** The server actions that apply to this server (set by the host). */
  readonly actions: readonly ServerAction[];
}

/** What a finding's action button does; the host looks the details up in the diagnosis it holds. */
export type FindingActionKind = 'copyCommand' | 'openLink' | 'applyFix' | 'openPolicy' | 'copySnippet';

export interface FindingAction {
  readonly kind: FindingActionKind;
  /** Which command / link / policy location of the finding, for kinds that have several. */
  readonly index: number;
  readonly label: string;
}

export interface FindingView {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly evidence: readonly string[];
  readonly fix: string;
  readonly commands: readonly string[];
  readonly links: readonly { readonly label: string; readonly url: string }[];
  readonly snippet?: { readonly language: string; readonly code: string };
  readonly actions: readonly FindingAction[];
}

export interface TimelineView {
  readonly step: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  readonly detail: string;
}

export interface ClaimView {
  readonly claim: string;
  /** The value as JSON text (strings unquoted). */
  readonly value: string;
  readonly check: ClaimCheck;
  /** What the gateway expects, or why it does not match. */
  readonly note?: string;
}

export interface RoleMatrixView {
  readonly roles: readonly string[];
  /** Roles the current token carries: their columns are highlighted. */
  readonly userRoles: readonly string[];
  /** Who the current user is (a name from the token), for the "You" column header. */
  readonly user?: string;
  readonly rows: readonly {
    readonly tool: string;
    /** Roles that allow the tool (empty: any valid token). */
    readonly allowedBy: readonly string[];
    /** Whether the current user may call it; undefined when unknown (no token). */
    readonly userAllowed?: boolean;
    /** True when a policy file location is known for this tool (the row offers "Open policy"). */
    readonly hasPolicy?: boolean;
  }[];
}

export interface DiagnosisView {
  readonly finishedAt: string;
  readonly findings: readonly FindingView[];
  readonly timeline: readonly TimelineView[];
  readonly claims?: readonly ClaimView[];
  readonly matrix?: RoleMatrixView;
  /** Whether each client will connect, for every config source the server is in (server text never appears here). */
  readonly clients?: readonly ClientVerdictView[];
  /** Notes about the inputs (no token available, no key stored…), shown above the findings. */
  readonly notes: readonly string[];
  /** The redacted Markdown report, for export (also after a reload). */
  readonly report: string;
  /** How many tools the server listed, when it listed them: the healthy verdict says it. */
  readonly toolCount?: number;
}

export type ClientOutcome = 'connects' | 'actionNeeded' | 'signIn' | 'fails';

export interface ClientVerdictView {
  /** Label of the config source the verdict is for, e.g. "Workspace .mcp.json". */
  readonly source: string;
  readonly outcome: ClientOutcome;
  /** "Claude Code: will connect once APIM_MCP_KEY_PRODUCTS is set". */
  readonly text: string;
}

export interface PasteResultView {
  readonly lines: readonly { readonly label: string; readonly value: string }[];
  readonly error?: string;
}

export type RunState = { readonly kind: 'idle' } | { readonly kind: 'running'; readonly message: string } | { readonly kind: 'cancelled' } | { readonly kind: 'failed'; readonly message: string };

export interface PanelState {
  readonly version: 1;
  readonly server: ServerHeader;
  readonly run: RunState;
  readonly diagnosis?: DiagnosisView;
  readonly paste?: PasteResultView;
}

// Host → webview.
export type HostMessage =
  | { readonly type: 'state'; readonly state: PanelState }
  | { readonly type: 'notice'; readonly text: string };

// Webview → host.
export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'rerun' }
  | { readonly type: 'cancel' }
  | { readonly type: 'findingAction'; readonly findingId: string; readonly action: FindingActionKind; readonly index: number }
  | { readonly type: 'openPolicyForTool'; readonly tool: string }
  | { readonly type: 'export'; readonly mode: 'save' | 'copy' }
  | { readonly type: 'parseError'; readonly text: string }
  | { readonly type: 'serverAction'; readonly action: ServerAction };

export type ServerAction = 'openConfig' | 'setKey' | 'signIn' | 'diagnoseWithToken' | 'diagnoseWithKey';

const ACTION_KINDS: readonly FindingActionKind[] = ['copyCommand', 'openLink', 'applyFix', 'openPolicy', 'copySnippet'];
const SERVER_ACTIONS: readonly ServerAction[] = ['openConfig', 'setKey', 'signIn', 'diagnoseWithToken', 'diagnoseWithKey'];
/** Pasted error text is capped: Entra error pages are a few KiB, and the parser caps its own input too. */
export const MAX_PASTE_LENGTH = 100_000;
const MAX_ID_LENGTH = 200;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnly(value: Json, keys: readonly string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k));
}

function isShortString(value: unknown, max = MAX_ID_LENGTH): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 1000;
}

/** The host's check of everything the webview sends: unknown types, extra fields and bad values are dropped. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
    case 'rerun':
    case 'cancel':
      return hasOnly(raw, ['type']) ? { type: raw.type } : undefined;
    case 'findingAction':
      if (!hasOnly(raw, ['type', 'findingId', 'action', 'index'])) return undefined;
      if (!isShortString(raw.findingId) || !(ACTION_KINDS as readonly unknown[]).includes(raw.action) || !isIndex(raw.index)) return undefined;
      return { type: 'findingAction', findingId: raw.findingId, action: raw.action as FindingActionKind, index: raw.index };
    case 'openPolicyForTool':
      return hasOnly(raw, ['type', 'tool']) && isShortString(raw.tool) ? { type: 'openPolicyForTool', tool: raw.tool } : undefined;
    case 'export':
      return hasOnly(raw, ['type', 'mode']) && (raw.mode === 'save' || raw.mode === 'copy') ? { type: 'export', mode: raw.mode } : undefined;
    case 'parseError':
      return hasOnly(raw, ['type', 'text']) && isShortString(raw.text, MAX_PASTE_LENGTH) ? { type: 'parseError', text: raw.text } : undefined;
    case 'serverAction':
      return hasOnly(raw, ['type', 'action']) && (SERVER_ACTIONS as readonly unknown[]).includes(raw.action)
        ? { type: 'serverAction', action: raw.action as ServerAction }
        : undefined;
    default:
      return undefined;
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isServerHeader(value: unknown): value is ServerHeader {
  return (
    isObject(value) &&
    ['id', 'name', 'url', 'auth', 'source'].every((k) => typeof value[k] === 'string') &&
    Array.isArray(value.actions) &&
    value.actions.every((a) => (SERVER_ACTIONS as readonly unknown[]).includes(a))
  );
}

function isRunState(value: unknown): value is RunState {
  if (!isObject(value)) return false;
  switch (value.kind) {
    case 'idle':
    case 'cancelled':
      return true;
    case 'running':
    case 'failed':
      return typeof value.message === 'string';
    default:
      return false;
  }
}

const SEVERITIES: readonly unknown[] = ['error', 'warning', 'info'];
const STEP_STATUSES: readonly unknown[] = ['ok', 'expected', 'warning', 'error', 'skipped'];
const CLAIM_CHECKS: readonly unknown[] = ['match', 'mismatch', 'info'];

function isFinding(value: unknown): value is FindingView {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    SEVERITIES.includes(value.severity) &&
    typeof value.title === 'string' &&
    isStringArray(value.evidence) &&
    typeof value.fix === 'string' &&
    isStringArray(value.commands) &&
    Array.isArray(value.links) &&
    value.links.every((l) => isObject(l) && typeof l.label === 'string' && typeof l.url === 'string') &&
    (value.snippet === undefined || (isObject(value.snippet) && typeof value.snippet.language === 'string' && typeof value.snippet.code === 'string')) &&
    Array.isArray(value.actions) &&
    value.actions.every((a) => isObject(a) && (ACTION_KINDS as readonly unknown[]).includes(a.kind) && isIndex(a.index) && typeof a.label === 'string')
  );
}

const CLIENT_OUTCOMES: readonly unknown[] = ['connects', 'actionNeeded', 'signIn', 'fails'] satisfies ClientOutcome[];

function isDiagnosis(value: unknown): value is DiagnosisView {
  if (!isObject(value) || typeof value.finishedAt !== 'string' || !isStringArray(value.notes) || typeof value.report !== 'string') return false;
  if (value.toolCount !== undefined && !isIndex(value.toolCount)) return false;
  if (!Array.isArray(value.findings) || !value.findings.every(isFinding)) return false;
  if (
    !Array.isArray(value.timeline) ||
    !value.timeline.every((t) => isObject(t) && typeof t.step === 'string' && STEP_STATUSES.includes(t.status) && typeof t.durationMs === 'number' && typeof t.detail === 'string')
  ) {
    return false;
  }
  if (
    value.claims !== undefined &&
    !(Array.isArray(value.claims) && value.claims.every((c) => isObject(c) && typeof c.claim === 'string' && typeof c.value === 'string' && CLAIM_CHECKS.includes(c.check) && (c.note === undefined || typeof c.note === 'string')))
  ) {
    return false;
  }
  if (
    value.clients !== undefined &&
    !(Array.isArray(value.clients) && value.clients.every((c) => isObject(c) && typeof c.source === 'string' && CLIENT_OUTCOMES.includes(c.outcome) && typeof c.text === 'string'))
  ) {
    return false;
  }
  if (value.matrix !== undefined) {
    const m = value.matrix;
    if (!isObject(m) || !isStringArray(m.roles) || !isStringArray(m.userRoles) || (m.user !== undefined && typeof m.user !== 'string')) return false;
    if (
      !Array.isArray(m.rows) ||
      !m.rows.every((r) => isObject(r) && typeof r.tool === 'string' && isStringArray(r.allowedBy) && (r.userAllowed === undefined || typeof r.userAllowed === 'boolean'))
    ) {
      return false;
    }
  }
  return true;
}

function isPaste(value: unknown): value is PasteResultView {
  return (
    isObject(value) &&
    Array.isArray(value.lines) &&
    value.lines.every((l) => isObject(l) && typeof l.label === 'string' && typeof l.value === 'string') &&
    (value.error === undefined || typeof value.error === 'string')
  );
}

/** Checks a whole panel state: used for host messages and for the state VS Code hands back after a reload. */
export function isPanelState(value: unknown): value is PanelState {
  return (
    isObject(value) &&
    value.version === 1 &&
    isServerHeader(value.server) &&
    isRunState(value.run) &&
    (value.diagnosis === undefined || isDiagnosis(value.diagnosis)) &&
    (value.paste === undefined || isPaste(value.paste))
  );
}

/** The webview's check of what the host sends. */
export function parseHostMessage(raw: unknown): HostMessage | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'state' && isPanelState(raw.state)) return { type: 'state', state: raw.state };
  if (raw.type === 'notice' && typeof raw.text === 'string') return { type: 'notice', text: raw.text };
  return undefined;
}
