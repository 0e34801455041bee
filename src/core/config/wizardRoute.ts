import type { AuthDetection } from '../probe/detectAuth';
import { AUTH_KINDS, usesEntra, usesSubscriptionKey, type AuthKind } from '../serverRecord';
import type { PathMistake, UrlAnalysis } from '../url/serverUrl';
import { CONFIG_TARGETS, TARGET_KINDS, type ConfigTargetKind } from './targets';

/**
 * Add Secured MCP Server's route: which steps a plan goes through, in order, and what the gateway's first answer
 * means at the step where it arises. Pure, so the step counter and the warnings are unit-tested; the adapter words
 * and shows them (issue 18.5, 18.6).
 */
export type WizardStep = 'url' | 'name' | 'auth' | 'target' | 'key' | 'tenant' | 'scopes' | 'signInMethod' | 'clientId';

/** How the extension signs in to Entra ID for a server it manages (setting `apimMcp.entra.signInMethod`). */
export type WizardSignInMethod = 'vscode' | 'deviceCode';

export interface RouteFacts {
  /** The auth kind chosen (or, from Azure, given by the API), if known yet. */
  readonly auth?: AuthKind;
  /** The target chosen, if chosen yet. */
  readonly target?: ConfigTargetKind;
  /**
   * VS Code for the browser (`env.uiKind === Web`): a browser sign-in cannot return to the window, so the Entra route
   * asks how to sign in, with device code suggested.
   */
  readonly browserWindow: boolean;
}

/**
 * Which wizard: the full one from a pasted URL, or the continuation of Add from Azure, whose URL, auth kind and key
 * come from Azure. Each lists every step it may ask, in order; the route is the ones that apply.
 */
export type WizardFlow = 'full' | 'fromAzure';

const FLOW_STEPS: Record<WizardFlow, readonly WizardStep[]> = {
  full: ['url', 'name', 'auth', 'target', 'key', 'tenant', 'scopes', 'signInMethod', 'clientId'],
  // Where it goes comes before the Entra fields, as in the full wizard: the sign-in method is asked only for a server
  // this extension signs in for.
  fromAzure: ['name', 'target', 'tenant', 'scopes', 'signInMethod', 'clientId'],
};

/** Every step a flow may ask, in order; the adapter skips those the route passes by. */
export function flowSteps(flow: WizardFlow): readonly WizardStep[] {
  return FLOW_STEPS[flow];
}

/** The steps a flow asks, in order, for what is known; an unknown auth kind counts as a key, an unknown target as the extension. */
export function wizardRoute(flow: WizardFlow, facts: RouteFacts): WizardStep[] {
  const auth = facts.auth ?? 'subscriptionKey';
  const target = facts.target ?? 'extension';
  const applies: Record<WizardStep, boolean> = {
    url: true,
    name: true,
    auth: true,
    target: true,
    // An mcp.json's key is VS Code's to ask for; the wizard asks only where this extension keeps it.
    key: usesSubscriptionKey(auth) && CONFIG_TARGETS[target].keyHandling !== 'passwordInput',
    tenant: usesEntra(auth),
    scopes: usesEntra(auth),
    // Only a server this extension manages signs in through it; VS Code signs in for the servers in files.
    signInMethod: usesEntra(auth) && facts.browserWindow && target === 'extension',
    clientId: usesEntra(auth),
  };
  return FLOW_STEPS[flow].filter((step) => applies[step]);
}

/** The title bar's counter: the step's number, and the total once it can no longer change. */
export interface StepCount {
  readonly step: number;
  readonly totalSteps?: number;
}

/**
 * Where a step stands, or undefined when the route passes it by (issue 18.6). The number counts the steps before it,
 * which are settled. The total is given only when every answer still open (at this step or after it) leads to the
 * same number of steps: a total, once shown, never changes as the person goes on, and until then VS Code shows the
 * number alone. A choice made earlier and shown again after Back is open again, so its step shows no total either.
 */
export function stepCount(flow: WizardFlow, facts: RouteFacts, step: WizardStep): StepCount | undefined {
  const order = FLOW_STEPS[flow];
  const settledBefore = (decider: WizardStep) => !order.includes(decider) || order.indexOf(decider) < order.indexOf(step);
  const auths = facts.auth && settledBefore('auth') ? [facts.auth] : AUTH_KINDS;
  const targets = facts.target && settledBefore('target') ? [facts.target] : TARGET_KINDS;
  const route = wizardRoute(flow, facts);
  const index = route.indexOf(step);
  if (index < 0) return undefined;
  const totals = new Set(auths.flatMap((auth) => targets.map((target) => wizardRoute(flow, { ...facts, auth, target }).length)));
  return totals.size === 1 ? { step: index + 1, totalSteps: [...totals][0] } : { step: index + 1 };
}

/** The sign-in method the wizard pre-selects: device code in VS Code for the browser, else VS Code's own sign-in. */
export function suggestedSignInMethod(browserWindow: boolean): WizardSignInMethod {
  return browserWindow ? 'deviceCode' : 'vscode';
}

/** What the URL step has to say about a URL before moving on; each is a warning the person may overrule. */
export type UrlStepFinding =
  | { readonly kind: 'pathMistake'; readonly mistake: PathMistake; readonly suggestedUrl: string; readonly notFound: boolean }
  | { readonly kind: 'notFound'; readonly status: number }
  | { readonly kind: 'unreachable'; readonly error: string };

/**
 * The URL step's finding: the legacy SSE path first (known without asking the server, and it has a one-click fix),
 * with the gateway's 404 when detection got one; else the 404 alone; else an unreachable server.
 */
export function urlStepFinding(url: UrlAnalysis, detection: AuthDetection | undefined): UrlStepFinding | undefined {
  const notFound = detection?.reached === true && detection.outcome.kind === 'notFound';
  if (url.pathMistake && url.suggestedUrl) return { kind: 'pathMistake', mistake: url.pathMistake, suggestedUrl: url.suggestedUrl, notFound };
  if (detection?.reached && notFound) return { kind: 'notFound', status: detection.status };
  if (detection && !detection.reached) return { kind: 'unreachable', error: detection.error };
  return undefined;
}

/** The gateway asked for a subscription key and the chosen auth kind sends none (issue 18.5). */
export interface KeyDetectedWarning {
  readonly headerName: string;
  /** The auth kind detection points to, which sends the key. */
  readonly suggested: AuthKind;
}

export function keyDetectedWarning(detection: AuthDetection | undefined, chosen: AuthKind): KeyDetectedWarning | undefined {
  if (!detection?.reached || !detection.keyChallenge || usesSubscriptionKey(chosen)) return undefined;
  const suggested = usesSubscriptionKey(detection.suggestedAuth) ? detection.suggestedAuth : 'subscriptionKey';
  return { headerName: detection.keyChallenge.headerName, suggested };
}
