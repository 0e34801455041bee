import type { AuthDetection } from '../probe/detectAuth';
import { usesEntra, usesSubscriptionKey, type AuthKind } from '../serverRecord';
import type { PathMistake, UrlAnalysis } from '../url/serverUrl';
import { CONFIG_TARGETS, type ConfigTargetKind } from './targets';

/**
 * Add Secured MCP Server's route: which steps a plan goes through, in order, and what the gateway's first answer
 * means at the step where it arises. Pure, so the step counter and the warnings are unit-tested; the adapter words
 * and shows them (issue 18.5, 18.6).
 */
export type WizardStep = 'url' | 'name' | 'auth' | 'target' | 'key' | 'tenant' | 'scopes' | 'signInMethod' | 'clientId';

/** How the extension signs in to Entra ID for a server it manages (setting `apimMcp.entra.signInMethod`). */
export type WizardSignInMethod = 'vscode' | 'deviceCode';

export interface RouteFacts {
  /** The auth kind chosen, if chosen yet. */
  readonly auth?: AuthKind;
  /** What detection suggested: the route until the person chooses. */
  readonly suggestedAuth?: AuthKind;
  /** The target chosen, if chosen yet; until then the recommended one, the extension. */
  readonly target?: ConfigTargetKind;
  /**
   * VS Code for the browser (`env.uiKind === Web`): a browser sign-in cannot return to the window, so the Entra route
   * asks how to sign in, with device code suggested.
   */
  readonly browserWindow: boolean;
}

/**
 * The steps of the full wizard for what is known now. Unknowns take their most likely value (detection's suggestion,
 * else a key; the extension as target), so the total is right from the first step and changes only when the person
 * picks another auth kind or target. Steps outside the route are skipped, so the numbers never jump.
 */
export function wizardRoute(facts: RouteFacts): WizardStep[] {
  const auth = facts.auth ?? facts.suggestedAuth ?? 'subscriptionKey';
  const target = facts.target ?? 'extension';
  const steps: WizardStep[] = ['url', 'name', 'auth', 'target'];
  // An mcp.json's key is VS Code's to ask for; the wizard asks only where this extension keeps it.
  if (usesSubscriptionKey(auth) && CONFIG_TARGETS[target].keyHandling !== 'passwordInput') steps.push('key');
  if (usesEntra(auth)) {
    steps.push('tenant', 'scopes');
    // Only a server this extension manages signs in through it; VS Code signs in for the servers in files.
    if (facts.browserWindow && target === 'extension') steps.push('signInMethod');
    steps.push('clientId');
  }
  return steps;
}

/** "Step n of total" for a step, or undefined when the route passes it by. */
export function stepNumber(route: readonly WizardStep[], step: WizardStep): { readonly step: number; readonly totalSteps: number } | undefined {
  const index = route.indexOf(step);
  return index < 0 ? undefined : { step: index + 1, totalSteps: route.length };
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
