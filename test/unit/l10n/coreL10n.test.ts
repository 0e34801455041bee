/**
 * The core's text is translated once the extension hands over a bundle (src/core/text/coreL10n.ts). A pseudo-
 * translation of the whole l10n/bundle.l10n.json (every message wrapped in ⟦…⟧, placeholders kept) stands in for a
 * real language pack: every finding title and fix of the diagnosis and ARM table cases must come out wrapped.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { armErrorFinding } from '../../../src/core/azure/armFindings';
import { evaluate } from '../../../src/core/diagnosis/rules';
import { useL10nBundle } from '../../../src/core/text/coreL10n';
import { ARM_CASES, FINDING_CASES } from '../diagnosis/cases';
import { observations } from '../diagnosis/observationBuilders';

type BundleEntry = string | { message: string; comment: string[] };
const bundle = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, BundleEntry>;
const pseudo = Object.fromEntries(Object.entries(bundle).map(([key, entry]) => [key, `⟦${typeof entry === 'string' ? entry : entry.message}⟧`]));
/** The finding ids whose fix is the AADSTS catalogue's own text (src/core/entra/aadstsCatalogue.ts), not yet translated. */
const CATALOGUE_FIXES = new Set(['entra.assignment.required', 'entra.resource.mismatch']);

describe('the core text in another language (the bundle the extension hands over)', () => {
  after(() => useL10nBundle({}));

  it('translates a finding title and fills in its arguments', () => {
    useL10nBundle(pseudo);
    const dns = FINDING_CASES.find((c) => c.id === 'net.dns')!;
    const finding = evaluate(observations(dns.setup)).find((f) => f.id === 'net.dns')!;
    assert.equal(finding.title, '⟦The host contoso.azure-api.net does not resolve⟧');
  });

  it('translates the title and the fix of every finding the table cases produce (diagnosis and Azure Resource Manager)', () => {
    useL10nBundle(pseudo);
    const findings = [...FINDING_CASES.flatMap((c) => evaluate(observations(c.setup))), ...ARM_CASES.map((c) => armErrorFinding(c.error))];
    const untranslated = findings
      .flatMap((f) => [
        ...(f.title.startsWith('⟦') ? [] : [`${f.id} title: ${f.title}`]),
        ...(f.fix.summary.includes('⟦') || CATALOGUE_FIXES.has(f.id) ? [] : [`${f.id} fix: ${f.fix.summary.slice(0, 80)}`]),
      ]);
    assert.deepEqual([...new Set(untranslated)], []);
  });

  it('speaks English again without a bundle (the CLI and VS Code in English never hand one over)', () => {
    useL10nBundle({});
    const dns = FINDING_CASES.find((c) => c.id === 'net.dns')!;
    assert.equal(evaluate(observations(dns.setup)).find((f) => f.id === 'net.dns')!.title, 'The host contoso.azure-api.net does not resolve');
  });
});
