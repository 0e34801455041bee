/**
 * The diagnostics panel in the browser. Every message from the host is validated; every piece of text is put in the
 * DOM with text nodes (never HTML), so a gateway that sends markup only ever shows it. The last state is kept with
 * `setState`, so VS Code can hand it back after a reload (the serializer) and after the tab was hidden.
 */
import { parseHostMessage, type ClientOutcome, type DiagnosisView, type FindingView, type PanelState, type RoleMatrixView, type ServerAction, type Severity, type WebviewMessage, isPanelState } from '../shared/protocol';
import type { PanelStringKey } from '../shared/strings';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const noticeRegion = document.getElementById('notice')!;

const strings: Record<string, string> = (() => {
  try {
    const meta = document.querySelector('meta[name="apim-mcp-strings"]');
    const parsed: unknown = JSON.parse(meta?.getAttribute('content') ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
})();

function t(key: PanelStringKey): string {
  const value = strings[key];
  // The host always sends every string (its type says so); a missing one shows its key rather than nothing.
  return typeof value === 'string' ? value : key;
}

type Child = Node | string | undefined | false;
type Attrs = Record<string, string | boolean | undefined>;

/** Builds an element; string children become text nodes, attributes are set one by one (never as markup). */
function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

function icon(name: string, label?: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': label ? undefined : 'true', role: label ? 'img' : undefined, 'aria-label': label });
}

function button(label: string, key: string, onClick: () => void, options: { icon?: string; primary?: boolean; title?: string; iconOnly?: boolean } = {}): HTMLElement {
  const classes = `button ${options.primary ? 'primary' : 'secondary'}${options.iconOnly ? ' icon-only' : ''}`;
  const el = options.iconOnly
    ? h('button', { type: 'button', class: classes, 'data-key': key, title: options.title ?? label, 'aria-label': options.title ?? label }, icon(options.icon ?? 'circle'))
    : h('button', { type: 'button', class: classes, 'data-key': key, title: options.title }, options.icon ? icon(options.icon) : undefined, label);
  el.addEventListener('click', onClick);
  return el;
}

function send(message: WebviewMessage): void {
  vscode.postMessage(message);
}

let state: PanelState | undefined;
let pasteDraft = '';

const SEVERITY_ICON: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info' };
const SEVERITY_HEADING: Record<Severity, PanelStringKey> = { error: 'errors', warning: 'warnings', info: 'infos' };
const STEP_ICON: Record<string, string> = { ok: 'pass', expected: 'debug-stackframe-dot', warning: 'warning', error: 'error', skipped: 'circle-slash' };

const SERVER_ACTIONS: Record<ServerAction, { label: PanelStringKey; icon: string }> = {
  openConfig: { label: 'openConfig', icon: 'go-to-file' },
  setKey: { label: 'setKey', icon: 'key' },
  signIn: { label: 'signIn', icon: 'sign-in' },
  diagnoseWithToken: { label: 'withToken', icon: 'shield' },
  diagnoseWithKey: { label: 'withKey', icon: 'key' },
};

function renderHeader(s: PanelState): HTMLElement {
  const running = s.run.kind === 'running';
  const toolbar = h(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': s.server.name },
    button(s.diagnosis ? t('rerun') : t('runNow'), 'rerun', () => send({ type: 'rerun' }), { icon: 'refresh', primary: true }),
    ...s.server.actions.map((a) => button(t(SERVER_ACTIONS[a].label), `server-${a}`, () => send({ type: 'serverAction', action: a }), { icon: SERVER_ACTIONS[a].icon })),
    s.diagnosis && button(t('saveReport'), 'export-save', () => send({ type: 'export', mode: 'save' }), { icon: 'save' }),
    s.diagnosis && button(t('copyReport'), 'export-copy', () => send({ type: 'export', mode: 'copy' }), { icon: 'copy' }),
  );
  if (running) for (const b of toolbar.querySelectorAll('button')) b.setAttribute('disabled', '');
  return h(
    'header',
    { class: 'server' },
    h('h1', {}, icon('server'), s.server.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'URL'),
      h('dd', {}, h('code', {}, s.server.url)),
      h('dt', {}, t('auth')),
      h('dd', {}, s.server.auth),
      h('dt', {}, t('source')),
      h('dd', {}, s.server.source),
    ),
    toolbar,
  );
}

function renderRun(s: PanelState): HTMLElement | undefined {
  switch (s.run.kind) {
    case 'running':
      return h(
        'div',
        { class: 'run running', role: 'status' },
        h('div', { class: 'progress-bar', role: 'progressbar', 'aria-label': t('running') }, h('div', { class: 'progress-bit' })),
        h('span', { class: 'run-message' }, icon('loading codicon-modifier-spin'), s.run.message),
        button(t('cancel'), 'cancel', () => send({ type: 'cancel' }), { icon: 'stop-circle' }),
      );
    case 'cancelled':
      return h('div', { class: 'run cancelled', role: 'status' }, icon('circle-slash'), t('cancelled'));
    case 'failed':
      return h('div', { class: 'run failed', role: 'alert' }, icon('error'), `${t('failed')} `, s.run.message);
    default:
      return s.diagnosis ? undefined : h('p', { class: 'run idle' }, icon('info'), t('notRun'));
  }
}

function renderFinding(f: FindingView): HTMLElement {
  const titleId = `finding-${f.id}`;
  const actions = h(
    'div',
    { class: 'actions', role: 'group', 'aria-label': f.title },
    ...f.actions.map((a) =>
      button(a.label, `action-${f.id}-${a.kind}-${a.index}`, () => send({ type: 'findingAction', findingId: f.id, action: a.kind, index: a.index }), {
        icon: { copyCommand: 'terminal', copySnippet: 'copy', openLink: 'link-external', applyFix: 'wrench', openPolicy: 'go-to-file' }[a.kind],
        primary: a.kind === 'applyFix',
      }),
    ),
    button(t('rerun'), `action-${f.id}-rerun`, () => send({ type: 'rerun' }), { icon: 'refresh' }),
  );
  return h(
    'article',
    { class: `finding severity-${f.severity}`, 'aria-labelledby': titleId, 'data-finding': f.id },
    h('h4', { id: titleId, class: 'finding-title' }, icon(SEVERITY_ICON[f.severity], f.severity), h('span', {}, f.title), h('code', { class: 'finding-id' }, f.id)),
    h('h5', {}, t('evidence')),
    h('ul', { class: 'evidence' }, ...f.evidence.map((e) => h('li', {}, h('q', {}, h('code', {}, e))))),
    h('h5', {}, t('fix')),
    h('p', { class: 'fix' }, f.fix),
    ...f.commands.map((c) => h('pre', { class: 'command', tabindex: '0', 'aria-label': 'az' }, h('code', {}, c))),
    f.snippet && h('pre', { class: 'snippet', tabindex: '0', 'aria-label': f.snippet.language }, h('code', {}, f.snippet.code)),
    actions,
  );
}

/** "Healthy", with the number of tools the server listed when it listed them. */
function healthyVerdict(toolCount: number | undefined): string {
  if (toolCount === undefined) return t('healthy');
  return toolCount === 1 ? t('healthyOneTool') : t('healthyTools').replace('{0}', String(toolCount));
}

function renderFindings(d: DiagnosisView): HTMLElement {
  const section = h('section', { class: 'findings', 'aria-labelledby': 'findings-h' }, h('h2', { id: 'findings-h' }, t('findings')));
  if (d.findings.length === 0) section.append(h('p', { class: 'healthy', role: 'status' }, icon('pass'), healthyVerdict(d.toolCount)));
  for (const severity of ['error', 'warning', 'info'] as const) {
    const group = d.findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    section.append(h('h3', { class: `severity-heading severity-${severity}` }, icon(SEVERITY_ICON[severity]), `${t(SEVERITY_HEADING[severity])} (${group.length})`), ...group.map(renderFinding));
  }
  return section;
}

const OUTCOME_ICON: Record<ClientOutcome, string> = { connects: 'pass', signIn: 'sign-in', actionNeeded: 'warning', fails: 'error' };

/** One row per (config source, client): the verdict text is plain text, never markup. */
function renderClients(d: DiagnosisView): HTMLElement | undefined {
  if (!d.clients?.length) return undefined;
  return h(
    'section',
    { class: 'clients', 'aria-labelledby': 'clients-h' },
    h('h2', { id: 'clients-h' }, t('clients')),
    h('p', { class: 'hint' }, t('clientsNote')),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('clientSource')), h('th', { scope: 'col' }, t('clientVerdict')))),
      h(
        'tbody',
        {},
        ...d.clients.map((c) =>
          h('tr', { class: `client-${c.outcome}` }, h('th', { scope: 'row' }, c.source), h('td', {}, icon(OUTCOME_ICON[c.outcome]), ' ', h('span', { class: 'verdict' }, c.text))),
        ),
      ),
    ),
  );
}

function renderClaims(d: DiagnosisView): HTMLElement | undefined {
  if (!d.claims?.length) return undefined;
  return h(
    'section',
    { class: 'claims', 'aria-labelledby': 'claims-h' },
    h('h2', { id: 'claims-h' }, t('token')),
    h('p', { class: 'hint' }, icon('lock'), t('tokenNote')),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('claim')), h('th', { scope: 'col' }, t('value')), h('th', { scope: 'col' }, t('check')))),
      h(
        'tbody',
        {},
        ...d.claims.map((c) =>
          h(
            'tr',
            { class: `claim-${c.check}` },
            h('th', { scope: 'row' }, h('code', {}, c.claim)),
            h('td', {}, h('code', {}, c.value)),
            h(
              'td',
              {},
              c.check === 'match' ? icon('pass', t('matches')) : c.check === 'mismatch' ? icon('error', t('mismatch')) : undefined,
              c.check === 'info' ? '' : ` ${c.check === 'match' ? t('matches') : t('mismatch')}`,
              c.note ? h('span', { class: 'note' }, ` — ${c.note}`) : undefined,
            ),
          ),
        ),
      ),
    ),
  );
}

function renderMatrix(m: RoleMatrixView): HTMLElement {
  const mine = new Set(m.userRoles);

  return h(
    'section',
    { class: 'matrix', 'aria-labelledby': 'matrix-h' },
    h('h2', { id: 'matrix-h' }, t('matrix')),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('tool')),
          ...m.roles.map((r) => h('th', { scope: 'col', class: mine.has(r) ? 'mine' : undefined }, h('code', {}, r))),
          h('th', { scope: 'col', class: 'you' }, icon('account'), ` ${t('you')}`, m.user ? h('span', { class: 'user' }, m.user) : undefined),
        ),
      ),
      h(
        'tbody',
        {},
        ...m.rows.map((row) =>
          h(
            'tr',
            { class: row.userAllowed === false ? 'denied' : undefined },
            h(
              'th',
              { scope: 'row' },
              h('code', {}, row.tool),
              row.hasPolicy ? button(t('openPolicy'), `policy-${row.tool}`, () => send({ type: 'openPolicyForTool', tool: row.tool }), { icon: 'go-to-file', title: `${t('openPolicy')}: ${row.tool}`, iconOnly: true }) : undefined,
            ),
            ...m.roles.map((r) =>
              h('td', { class: mine.has(r) ? 'mine' : undefined }, row.allowedBy.includes(r) ? icon('check', t('allowed')) : row.allowedBy.length === 0 ? h('span', { class: 'note' }, t('anyToken')) : ''),
            ),
            h(
              'td',
              { class: 'you' },
              row.userAllowed === undefined ? h('span', { class: 'note' }, t('unknown')) : row.userAllowed ? h('span', { class: 'allowed' }, icon('pass'), ` ${t('allowed')}`) : h('span', { class: 'denied' }, icon('error'), ` ${t('denied')}`),
            ),
          ),
        ),
      ),
    ),
  );
}

function renderTimeline(d: DiagnosisView): HTMLElement {
  return h(
    'section',
    { class: 'timeline', 'aria-labelledby': 'timeline-h' },
    h('h2', { id: 'timeline-h' }, t('timeline')),
    h(
      'ol',
      {},
      ...d.timeline.map((step) =>
        h(
          'li',
          { class: `step step-${step.status}` },
          icon(STEP_ICON[step.status] ?? 'circle', step.status),
          h('span', { class: 'step-name' }, step.step),
          h('span', { class: 'step-time' }, `${step.durationMs} ms`),
          h('code', { class: 'step-detail' }, step.detail),
        ),
      ),
    ),
  );
}

function renderPaste(s: PanelState): HTMLElement {
  const textarea = h('textarea', { id: 'paste', rows: '4', 'data-key': 'paste', 'aria-describedby': 'paste-hint', spellcheck: 'false' }) as HTMLTextAreaElement;
  textarea.value = pasteDraft;
  textarea.addEventListener('input', () => (pasteDraft = textarea.value));
  const explain = () => {
    if (pasteDraft.trim()) send({ type: 'parseError', text: pasteDraft });
  };
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) explain();
  });
  const result = s.paste;
  return h(
    'section',
    { class: 'paste', 'aria-labelledby': 'paste-h' },
    h('h2', { id: 'paste-h' }, h('label', { for: 'paste' }, t('paste'))),
    h('p', { id: 'paste-hint', class: 'hint' }, t('pasteHint')),
    textarea,
    h('div', { class: 'actions' }, button(t('explain'), 'explain', explain, { icon: 'search' })),
    result && result.error ? h('p', { class: 'paste-error', role: 'alert' }, icon('warning'), ` ${result.error}`) : undefined,
    result && result.lines.length ? h('dl', { class: 'paste-result' }, ...result.lines.flatMap((l) => [h('dt', {}, l.label), h('dd', {}, h('code', {}, l.value))])) : undefined,
  );
}

function render(): void {
  if (!state) return;
  const focusedKey = (document.activeElement as HTMLElement | null)?.getAttribute?.('data-key');
  const s = state;
  const d = s.diagnosis;
  const notes = d?.notes.length ? h('section', { class: 'notes', 'aria-label': t('notes') }, ...d.notes.map((n) => h('p', {}, icon('info'), ` ${n}`))) : undefined;
  app.replaceChildren(
    ...[
      renderHeader(s),
      renderRun(s),
      notes,
      d && renderFindings(d),
      d && renderClients(d),
      d && renderClaims(d),
      d?.matrix && renderMatrix(d.matrix),
      d && renderTimeline(d),
      d && h('p', { class: 'hint finished' }, `${t('finishedAt')} ${new Date(d.finishedAt).toLocaleString()}`),
      renderPaste(s),
    ].filter((n): n is HTMLElement => n instanceof HTMLElement),
  );
  app.setAttribute('aria-busy', s.run.kind === 'running' ? 'true' : 'false');
  if (focusedKey) (app.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`) as HTMLElement | null)?.focus();
}

function showNotice(text: string): void {
  noticeRegion.textContent = text;
  noticeRegion.classList.add('visible');
  window.setTimeout(() => noticeRegion.classList.remove('visible'), 4000);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (!message) return;
  if (message.type === 'notice') {
    showNotice(message.text);
    return;
  }
  state = message.state;
  vscode.setState(state);
  render();
});

const saved = vscode.getState();
if (isPanelState(saved)) {
  state = saved;
  render();
}
send({ type: 'ready' });
