import * as vscode from 'vscode';
import type { ViewLabels } from '../../core/diagnosis/diagnosisView';
import type { PanelStrings } from '../../shared/strings';

/** The panel's UI text, localised here and handed to the webview (which has no `vscode.l10n`). */
export function panelStrings(): PanelStrings {
  return {
    auth: vscode.l10n.t('Auth'),
    source: vscode.l10n.t('Config source'),
    rerun: vscode.l10n.t('Re-run'),
    cancel: vscode.l10n.t('Cancel'),
    running: vscode.l10n.t('Diagnosing…'),
    cancelled: vscode.l10n.t('The diagnosis was cancelled.'),
    failed: vscode.l10n.t('The diagnosis could not run:'),
    notRun: vscode.l10n.t('No diagnosis yet. Run it to probe the server: nothing is sent until you do.'),
    runNow: vscode.l10n.t('Diagnose'),
    healthy: vscode.l10n.t('Healthy: no findings.'),
    healthyTools: vscode.l10n.t({ message: 'Healthy: no findings. The server listed {0} tools.', comment: ['{0} is a number of MCP tools, 0 or more than 1; it is filled in by the panel.'] }),
    healthyOneTool: vscode.l10n.t('Healthy: no findings. The server listed 1 tool.'),
    findings: vscode.l10n.t('Findings'),
    errors: vscode.l10n.t('Errors'),
    warnings: vscode.l10n.t('Warnings'),
    infos: vscode.l10n.t('Information'),
    evidence: vscode.l10n.t('Evidence'),
    fix: vscode.l10n.t('Fix'),
    timeline: vscode.l10n.t('Timeline'),
    step: vscode.l10n.t({ message: 'Step', comment: ['Column header of the probe timeline: which request was made.'] }),
    status: vscode.l10n.t('Status'),
    duration: vscode.l10n.t({ message: 'Time', comment: ['Column header of the probe timeline: how long a request took.'] }),
    detail: vscode.l10n.t('Detail'),
    token: vscode.l10n.t('Decoded token'),
    tokenNote: vscode.l10n.t('Claims only: the signature is never shown.'),
    claim: vscode.l10n.t({ message: 'Claim', comment: ['Column header: the name of a claim in the access token, such as aud or roles.'] }),
    value: vscode.l10n.t('Value'),
    check: vscode.l10n.t({ message: 'Check', comment: ['Column header: whether a token claim matches what the gateway expects.'] }),
    matches: vscode.l10n.t({ message: 'matches', comment: ['A token claim matches what the gateway expects.'] }),
    mismatch: vscode.l10n.t({ message: 'does not match', comment: ['A token claim does not match what the gateway expects.'] }),
    matrix: vscode.l10n.t('Permissions: tools × roles'),
    tool: vscode.l10n.t({ message: 'Tool', comment: ['An MCP tool the server offers.'] }),
    you: vscode.l10n.t({ message: 'You', comment: ['Column header for the signed-in user in the tools × roles table.'] }),
    allowed: vscode.l10n.t({ message: 'allowed', comment: ['The user may call this MCP tool.'] }),
    denied: vscode.l10n.t({ message: 'denied', comment: ['The user may not call this MCP tool.'] }),
    unknown: vscode.l10n.t({ message: 'unknown', comment: ['Whether the user may call this MCP tool is not known (no token).'] }),
    anyToken: vscode.l10n.t({ message: 'any valid token', comment: ['An MCP tool needs no app role: any valid token may call it.'] }),
    openPolicy: vscode.l10n.t('Open policy'),
    export: vscode.l10n.t({ message: 'Export', comment: ['Menu of the diagnosis report: save or copy it.'] }),
    saveReport: vscode.l10n.t('Save Report…'),
    copyReport: vscode.l10n.t('Copy Report'),
    paste: vscode.l10n.t('Paste an error'),
    pasteHint: vscode.l10n.t('Paste an AADSTS error page, error_description or the failing sign-in URL. It is read here, not sent anywhere.'),
    explain: vscode.l10n.t('Explain'),
    openConfig: vscode.l10n.t('Open Config'),
    setKey: vscode.l10n.t('Set/Rotate Key'),
    signIn: vscode.l10n.t('Sign In'),
    withToken: vscode.l10n.t('Diagnose with a Pasted Token…'),
    withKey: vscode.l10n.t('Diagnose with the Key…'),
    notes: vscode.l10n.t('Notes'),
    finishedAt: vscode.l10n.t('Finished at'),
  };
}

/** The words the diagnosis view puts on finding buttons and beside token claims. */
export function viewLabels(): ViewLabels {
  return {
    copyCommand: vscode.l10n.t('Copy command'),
    copyNumberedCommand: (n) => vscode.l10n.t({ message: 'Copy command {0}', args: [n], comment: ['{0} is the number of the command, when a finding offers several.'] }),
    copySnippet: vscode.l10n.t('Copy snippet'),
    openPolicy: vscode.l10n.t('Open policy'),
    expectation: {
      aud: vscode.l10n.t({ message: 'an audience the gateway accepts', comment: ['What the aud claim of a token should be.'] }),
      iss: vscode.l10n.t({ message: 'an issuer the gateway accepts', comment: ['What the iss claim of a token should be.'] }),
      tid: vscode.l10n.t({ message: 'the tenant of the authorization server', comment: ['What the tid claim of a token should be.'] }),
      exp: vscode.l10n.t({ message: 'in the future', comment: ['What the exp (expiry) claim of a token should be.'] }),
      nbf: vscode.l10n.t({ message: 'in the past', comment: ['What the nbf (not before) claim of a token should be.'] }),
      azp: vscode.l10n.t({ message: 'an allowed client application', comment: ['What the azp or appid claim of a token should be.'] }),
      appid: vscode.l10n.t({ message: 'an allowed client application', comment: ['What the azp or appid claim of a token should be.'] }),
      scp: vscode.l10n.t({ message: 'the API scope', comment: ['What the scp claim of a token should be.'] }),
      roles: vscode.l10n.t({ message: 'the roles the tools need', comment: ['What the roles claim of a token should be.'] }),
      ver: vscode.l10n.t({ message: 'the token version the issuer list expects', comment: ['What the ver (version) claim of a token should be.'] }),
    },
  };
}
