import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policySegmentsOf, readPolicy, type PolicyDocument } from '../../../src/core/apim/policy/index';
import { attributeValue, childElements, elementsNamed, expressionsWithin, indentUnit } from '../../../src/core/apim/policy/policyQueries';
import { loadCorpus } from './realPatternCorpus';

/** Every policy document of the real-pattern corpus (the policy strings of Bicep, ARM and Terraform files too). */
function corpusDocuments(): { path: string; doc: PolicyDocument }[] {
  return loadCorpus()
    .filter((e) => e.expect !== 'not-a-policy')
    .flatMap((e) => (policySegmentsOf(e.path, e.text) ?? [{ text: e.text }]).map((s) => ({ path: e.path, doc: readPolicy(s.text) })));
}

describe('policy queries looked up by position', () => {
  const docs = corpusDocuments();

  it('reads the corpus', () => assert.ok(docs.length >= 60 && docs.some(({ doc }) => doc.expressions.length >= 10)));

  it('expressionsWithin gives exactly the expressions whose range lies inside the element, for every element', () => {
    let checked = 0;
    for (const { path, doc } of docs) {
      for (const element of doc.elements) {
        const expected = doc.expressions.filter((x) => x.range.start >= element.range.start && x.range.end <= element.range.end);
        assert.deepEqual(expressionsWithin(doc, element), expected, `${path}: <${element.name}> at ${element.range.start}`);
        checked += expected.length;
      }
    }
    assert.ok(checked > 500, `only ${checked} expressions checked`);
  });

  it('expressionsWithin leaves out an unclosed expression that runs past the element', () => {
    const doc = readPolicy('<policies><inbound><set-header name="a"><value>@(x</value></set-header><set-header name="b" value="@(y)" /></inbound></policies>');
    const [a, b] = doc.elements.filter((e) => e.name === 'set-header');
    for (const element of [a!, b!]) {
      assert.deepEqual(expressionsWithin(doc, element), doc.expressions.filter((x) => x.range.start >= element.range.start && x.range.end <= element.range.end));
    }
    assert.deepEqual(expressionsWithin(doc, b!).map((x) => x.code), ['y']);
  });

  it('indentUnit is the smallest indent of a line that starts a tag, 4 spaces when there is none', () => {
    assert.equal(indentUnit(readPolicy('<policies>\n\t<inbound>\n\t\t<base />\n\t</inbound>\n</policies>')), '\t');
    assert.equal(indentUnit(readPolicy('<policies>\n   <inbound>\n      <base />\n   </inbound>\n</policies>')), '   ');
    assert.equal(indentUnit(readPolicy('<policies><inbound><base /></inbound></policies>')), '    ');
  });

  it('names are matched without regard to case, and several names give one list in document order', () => {
    const text = '<policies><inbound><Validate-JWT Header-Name="Authorization"><Audiences /></Validate-JWT><validate-azure-ad-token tenant-id="t" /><validate-jwt header-name="x" /></inbound></policies>';
    const doc = readPolicy(text);
    const [upper] = elementsNamed(doc, 'validate-jwt');
    assert.equal(attributeValue(upper!, 'header-name'), 'Authorization');
    assert.equal(childElements(upper!, 'audiences').length, 1);
    assert.deepEqual(elementsNamed(doc, 'validate-jwt', 'validate-azure-ad-token').map((e) => e.range.start), [
      text.indexOf('<Validate-JWT'),
      text.indexOf('<validate-azure'),
      text.indexOf('<validate-jwt'),
    ]);
    assert.equal(elementsNamed(doc, 'validate-jwt').length, 2);
  });
});
