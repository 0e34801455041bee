import type { ServerEntry } from '../../core/config/configEntries';
import { sightingOf } from '../../core/clients/sightings';
import { clientVerdicts, type ServerTraits } from '../../core/clients/verdicts';
import type { ClientVerdictView } from '../../shared/protocol';
import { targetLabel } from '../config/targetLabels';

function sameServer(a: string, b: string): boolean {
  try {
    return new URL(a).toString() === new URL(b).toString();
  } catch {
    return a === b;
  }
}

/**
 * Each client's verdict for every config source that holds the diagnosed server (same URL). Which shell a CLI
 * client runs in is unknown here; the extension knows only whether it sets the variable in VS Code terminals.
 */
export function clientVerdictViews(entry: ServerEntry, all: readonly ServerEntry[], traits: ServerTraits | undefined, inVsCodeTerminals: (name: string) => boolean): ClientVerdictView[] {
  if (!traits) return [];
  const same = all.filter((e) => sameServer(e.url, entry.url));
  const sightings = (same.some((e) => e.id === entry.id) ? same : [entry, ...same]).map(sightingOf);
  return clientVerdicts(sightings, traits, { isSet: () => undefined, inVsCodeTerminals }).map((v) => ({ source: targetLabel(v.source).name, outcome: v.outcome, text: v.text }));
}
